using Microsoft.ML.OnnxRuntime;

namespace FaceAge.Core.Inference;

/// <summary>One ONNX Runtime execution provider: its name in settings (Inference:ExecutionProvider) and how a session asks for it.</summary>
/// <param name="Append">Adds the provider to session options; throws when this build of ONNX Runtime lacks it.</param>
public sealed record ExecutionProviderDefinition(string Name, string Description, Action<SessionOptions> Append);

/// <summary>
/// Every execution provider FaceAge can ask for, in one place (a new one is one line here). FaceAge ships the
/// CPU build of ONNX Runtime; the others need their ONNX Runtime package in place of it (docs/architecture.md).
/// </summary>
public static class ExecutionProviders
{
    public static readonly ExecutionProviderDefinition Cpu = new("Cpu", "ONNX Runtime's own CPU kernels (always there)", _ => { });

    public static readonly IReadOnlyList<ExecutionProviderDefinition> All =
    [
        Cpu,
        new("Cuda", "NVIDIA GPUs (package Microsoft.ML.OnnxRuntime.Gpu.Linux)", so => so.AppendExecutionProvider_CUDA()),
        new("DirectML", "Windows GPUs (package Microsoft.ML.OnnxRuntime.DirectML)", so => so.AppendExecutionProvider_DML()),
        new("OpenVINO", "Intel CPUs/GPUs (an OpenVINO build of ONNX Runtime)", so => so.AppendExecutionProvider_OpenVINO()),
    ];

    public static ExecutionProviderDefinition? Find(string? name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public static IEnumerable<string> Names => All.Select(p => p.Name);
}
