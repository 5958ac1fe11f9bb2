using System.Diagnostics;
using System.Threading.Channels;
using FaceAge.Core.Analysis;
using FaceAge.Core.Fusion;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Pipeline;

/// <summary>
/// Batches crops from all cameras into one age/gender run: the first crop waits at most
/// BatchMaxWaitMilliseconds for others, up to BatchSize. Results go to the fuse stage as samples.
/// </summary>
public sealed class EstimationStage(FaceAnalyzer analyzer, PipelineOptions options, WorkerMetrics metrics)
{
    public Task RunAsync(ChannelReader<CropRequest> input, ChannelWriter<FusionInput> output, CancellationToken cancellationToken)
        => DedicatedThread.Run("estimate", () => Loop(input, output, cancellationToken));

    private void Loop(ChannelReader<CropRequest> input, ChannelWriter<FusionInput> output, CancellationToken cancellationToken)
    {
        var batch = new List<CropRequest>(options.BatchSize);
        while (DedicatedThread.WaitToRead(input, cancellationToken))
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(options.BatchMaxWaitMilliseconds / 1000.0 * Stopwatch.Frequency);
            while (batch.Count < options.BatchSize)
            {
                if (input.TryRead(out var crop)) { batch.Add(crop); continue; }
                var left = TimeSpan.FromSeconds((deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
                if (left <= TimeSpan.Zero) break;
                var more = input.WaitToReadAsync(cancellationToken).AsTask();
                if (!more.Wait(left, cancellationToken) || !more.Result) break;
            }
            if (batch.Count == 0) continue;
            try
            {
                long started = Stopwatch.GetTimestamp();
                var attributes = analyzer.EstimateCrops(batch.Select(b => b.Crop).ToList());
                metrics.InferenceSeconds.WithLabels("age_gender").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                metrics.BatchSize.Observe(batch.Count);
                for (int i = 0; i < batch.Count; i++)
                {
                    var r = batch[i];
                    var a = attributes[i];
                    var sample = new PersonSample(a.Age.Probabilities, a.Age.FirstAge, a.MaleProbability, r.Quality, r.FaceSize, a.Descriptor, r.CapturedAt);
                    DedicatedThread.Write(output, new SampleReady(r.CameraId, r.TrackId, sample, r.CapturedAt, r.Flushed), cancellationToken);
                }
            }
            finally
            {
                foreach (var b in batch) b.Dispose();
                batch.Clear();
            }
        }
    }
}
