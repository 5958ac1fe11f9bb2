using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace FaceAge.Core.Inference;

/// <summary>Options shared by every model session.</summary>
public sealed record InferenceOptions
{
    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Cpu;
    /// <summary>Threads per session inside one operator; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; init; }
    /// <summary>Spinning burns a core while idle; with several sessions on few cores it steals time from the others.</summary>
    public bool AllowSpinning { get; init; }
}

/// <summary>
/// Creates ONNX Runtime sessions with full graph optimization and the requested execution provider.
/// When the provider is not available in this build, the session falls back to CPU and says so in a
/// warning; it never falls back silently.
/// </summary>
public sealed class OnnxSessionFactory(InferenceOptions options, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public InferenceOptions Options { get; } = options;

    /// <summary>The provider sessions really run on (after any fallback), set by the last <see cref="Create"/>.</summary>
    public ExecutionProvider EffectiveProvider { get; private set; } = ExecutionProvider.Cpu;

    public InferenceSession Create(string modelPath)
    {
        if (!File.Exists(modelPath)) throw new ModelFiles.ModelMissingException(modelPath);
        ModelFiles.ModelIntegrity.Verify(modelPath);
        var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (Options.IntraOpThreads > 0) so.IntraOpNumThreads = Options.IntraOpThreads;
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", Options.AllowSpinning ? "1" : "0");
        EffectiveProvider = AppendProvider(so, Options.ExecutionProvider, modelPath);
        try
        {
            return new InferenceSession(modelPath, so);
        }
        catch (OnnxRuntimeException e)
        {
            var expected = ModelFiles.ModelIntegrity.ExpectedSha256(modelPath) is { } hash ? $" (expected SHA-256 {hash})" : "";
            throw new InvalidDataException($"Cannot load ONNX model {modelPath}{expected}: {e.Message.Split('\n')[0]}", e);
        }
    }

    private ExecutionProvider AppendProvider(SessionOptions so, ExecutionProvider requested, string modelPath)
    {
        if (requested == ExecutionProvider.Cpu) return ExecutionProvider.Cpu;
        try
        {
            switch (requested)
            {
                case ExecutionProvider.Cuda: so.AppendExecutionProvider_CUDA(); break;
                case ExecutionProvider.DirectML: so.AppendExecutionProvider_DML(); break;
                case ExecutionProvider.OpenVINO: so.AppendExecutionProvider_OpenVINO(); break;
            }
            return requested;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            _logger.LogWarning("Execution provider {Requested} is not available ({Reason}); {Model} runs on CPU instead.",
                requested, e.Message.Split('\n')[0], Path.GetFileName(modelPath));
            return ExecutionProvider.Cpu;
        }
    }
}
