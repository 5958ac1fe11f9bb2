using System.Threading.Channels;

namespace FaceAge.Worker.Events;

/// <summary>
/// Hands every event of the pipeline to every enabled sink, in order. A sink that throws on Accept (a bug, not a
/// transport problem) is logged and does not stop the others.
/// </summary>
public sealed class EventHub(IReadOnlyList<IEventSink> sinks, ILogger logger)
{
    public IReadOnlyList<IEventSink> Sinks { get; } = sinks;

    /// <summary>Every sink is ready (and there is at least one).</summary>
    public bool Ready => Sinks.Count > 0 && Sinks.All(s => s.Ready);

    public void Publish(WorkerEvent e)
    {
        foreach (var sink in Sinks)
        {
            try
            {
                sink.Accept(e);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogError(ex, "Sink {Sink} refused a {Kind} event", sink.Name, e.Kind);
            }
        }
    }

    /// <summary>Forwards the pipeline's events until the channel completes, then tells the sinks no more will come.</summary>
    public async Task ForwardAsync(ChannelReader<WorkerEvent> events)
    {
        await foreach (var e in events.ReadAllAsync()) Publish(e);
        foreach (var sink in Sinks) sink.Complete();
    }
}
