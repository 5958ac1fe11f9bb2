using System.Threading.Channels;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Channels;

/// <summary>
/// Bounded channels between stages. Live sources drop the oldest item when the next stage is behind
/// (counted per camera and stage, and disposed); file sources wait, so a file is never skipped.
/// </summary>
public static class StageChannels
{
    public static Channel<T> Create<T>(int capacity, bool dropOldest, WorkerMetrics metrics, string camera, string stage)
    {
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = dropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
            SingleReader = true,
        };
        return Channel.CreateBounded<T>(options, dropped =>
        {
            metrics.FramesDropped.WithLabels(camera, stage).Inc();
            (dropped as IDisposable)?.Dispose();
        });
    }
}
