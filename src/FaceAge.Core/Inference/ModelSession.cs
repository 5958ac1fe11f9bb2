using Microsoft.ML.OnnxRuntime;

namespace FaceAge.Core.Inference;

/// <summary>
/// One loaded model on its execution provider: what the adapters (detectors, estimators) run. Every run's CPU time
/// on the calling thread is added to the factory's <see cref="ModelRunClock"/> (complete when IntraOpThreads is 1).
/// </summary>
public sealed class ModelSession(InferenceSession session, string name, ModelRunClock clock) : IDisposable
{
    /// <summary>The model's file name.</summary>
    public string Name { get; } = name;
    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata => session.InputMetadata;
    public IReadOnlyDictionary<string, NodeMetadata> OutputMetadata => session.OutputMetadata;
    public ModelMetadata ModelMetadata => session.ModelMetadata;

    public IDisposableReadOnlyCollection<DisposableNamedOnnxValue> Run(IReadOnlyCollection<NamedOnnxValue> inputs, IReadOnlyCollection<string>? outputs = null)
    {
        double started = ThreadCpuTime.Now();
        try
        {
            return outputs is null ? session.Run(inputs) : session.Run(inputs, outputs);
        }
        finally
        {
            clock.Add(Name, ThreadCpuTime.Now() - started);
        }
    }

    public void Dispose() => session.Dispose();
}
