using FaceAge.Core.ModelFiles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace FaceAge.Core.Inference;

/// <summary>Options shared by every model session (section "Inference").</summary>
public sealed record InferenceOptions
{
    /// <summary>A name from <see cref="ExecutionProviders"/>.</summary>
    public string ExecutionProvider { get; init; } = ExecutionProviders.Cpu.Name;
    /// <summary>Threads per session inside one operator; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; init; }
    /// <summary>Spinning burns a core while idle; with several sessions on few cores it steals time from the others.</summary>
    public bool AllowSpinning { get; init; }

    public IEnumerable<string> Validate(string prefix = "Inference")
    {
        if (ExecutionProviders.Find(ExecutionProvider) is null)
            yield return $"{prefix}:ExecutionProvider '{ExecutionProvider}' is unknown (known: {string.Join(", ", ExecutionProviders.Names)}).";
        if (IntraOpThreads is < 0 or > 256) yield return $"{prefix}:IntraOpThreads must be 0–256, got {IntraOpThreads}.";
    }
}

/// <summary>
/// Creates ONNX Runtime sessions with full graph optimization on the requested execution provider. Which provider
/// the sessions run on is settled once, when the factory is made: a provider this build lacks falls back to the
/// CPU with a warning, never silently.
/// </summary>
public sealed class OnnxSessionFactory
{
    private readonly ILogger _logger;

    public OnnxSessionFactory(InferenceOptions options, ILogger? logger = null)
    {
        Options = options;
        _logger = logger ?? NullLogger.Instance;
        var errors = options.Validate().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
        Provider = Resolve(ExecutionProviders.Find(options.ExecutionProvider)!);
    }

    public InferenceOptions Options { get; }

    /// <summary>The provider every session of this factory runs on (the requested one, or the CPU after a fallback).</summary>
    public ExecutionProviderDefinition Provider { get; }

    /// <summary>CPU time inside the model runs of this factory's sessions, per model file.</summary>
    public ModelRunClock RunClock { get; } = new();

    public ModelSession Create(string modelPath)
    {
        if (!File.Exists(modelPath)) throw new ModelMissingException(modelPath);
        ModelIntegrity.Verify(modelPath);
        using var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (Options.IntraOpThreads > 0) so.IntraOpNumThreads = Options.IntraOpThreads;
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", Options.AllowSpinning ? "1" : "0");
        Provider.Append(so);
        try
        {
            return new ModelSession(new InferenceSession(modelPath, so), Path.GetFileName(modelPath), RunClock);
        }
        catch (OnnxRuntimeException e)
        {
            var expected = ModelIntegrity.ExpectedSha256(modelPath) is { } hash ? $" (expected SHA-256 {hash})" : "";
            throw new InvalidDataException($"Cannot load ONNX model {modelPath}{expected}: {e.Message.Split('\n')[0]}", e);
        }
    }

    private ExecutionProviderDefinition Resolve(ExecutionProviderDefinition requested)
    {
        if (requested == ExecutionProviders.Cpu) return requested;
        try
        {
            using var probe = new SessionOptions();
            requested.Append(probe);
            return requested;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            _logger.LogWarning("Execution provider {Requested} is not available ({Reason}); models run on CPU instead.", requested.Name,
                e.Message.Split('\n')[0]);
            return ExecutionProviders.Cpu;
        }
    }
}
