using System.Diagnostics;
using System.Threading.Channels;
using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Core.Fusion;
using FaceAge.Core.Inference;
using FaceAge.Core.Verification;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Estimation;

/// <summary>
/// Runs age/gender on crops from all cameras, in batches: <see cref="CropScheduler"/> says which crops and when (the
/// first due crop waits at most BatchMaxWaitMilliseconds for others, up to BatchSize). Results go to the fuse stage
/// as samples; with <paramref name="identity"/> (Fusion:Embedding) the samples re-entry needs (<see cref="IdentitySampling"/>)
/// also carry a recognition embedding of their crop; with <paramref name="poses"/> (Attention:Enabled) every sample carries
/// its head pose and the turn check's verdict. Runs on its own thread, as ONNX Runtime blocks.
/// </summary>
public sealed class EstimationStage(IAgeGenderEstimator estimator, PipelineOptions options, WorkerMetrics metrics, CropEmbedder? identity = null,
    CropHeadPose? poses = null)
{
    public Task RunAsync(CropScheduler crops, ChannelWriter<FusionInput> output, CancellationToken cancellationToken)
        => DedicatedThread.Run("estimate", () => Loop(crops, output, cancellationToken));

    private void Loop(CropScheduler crops, ChannelWriter<FusionInput> output, CancellationToken cancellationToken)
    {
        var wait = TimeSpan.FromMilliseconds(options.BatchMaxWaitMilliseconds);
        var sampling = new IdentitySampling();
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = crops.Take(options.BatchSize, wait, cancellationToken);
            if (batch.Count == 0) break; // completed and drained, or cancelled
            try
            {
                long started = Stopwatch.GetTimestamp();
                double cpuStarted = ThreadCpuTime.Now();
                var attributes = estimator.Estimate(batch.Select(b => b.Face.Crop).ToList());
                metrics.StageCpu.WithLabels("estimate").Inc(ThreadCpuTime.Now() - cpuStarted);
                metrics.InferenceSeconds.WithLabels("age_gender").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                metrics.BatchSize.Observe(batch.Count);
                IReadOnlyList<HeadPose>? pose = null;
                if (poses is not null)
                {
                    long poseStarted = Stopwatch.GetTimestamp();
                    double poseCpu = ThreadCpuTime.Now();
                    pose = poses.Estimate(batch.Select(b => b.Face).ToList());
                    metrics.StageCpu.WithLabels("estimate").Inc(ThreadCpuTime.Now() - poseCpu);
                    metrics.InferenceSeconds.WithLabels("pose").Observe(Stopwatch.GetElapsedTime(poseStarted).TotalSeconds);
                }
                var embeddings = new float[]?[batch.Count];
                var wanted = identity is null ? []
                    : Enumerable.Range(0, batch.Count).Where(i
                        => sampling.Wants(batch[i].CameraId, batch[i].TrackId, batch[i].Quality, batch[i].Time)).ToList();
                if (wanted.Count > 0)
                {
                    long identityStarted = Stopwatch.GetTimestamp();
                    double identityCpu = ThreadCpuTime.Now();
                    var vectors = identity!.Embed(wanted.Select(i => batch[i].Face).ToList());
                    for (int k = 0; k < wanted.Count; k++) embeddings[wanted[k]] = vectors[k];
                    metrics.StageCpu.WithLabels("estimate").Inc(ThreadCpuTime.Now() - identityCpu);
                    metrics.InferenceSeconds.WithLabels("identity").Observe(Stopwatch.GetElapsedTime(identityStarted).TotalSeconds);
                }
                for (int i = 0; i < batch.Count; i++)
                {
                    var r = batch[i];
                    var a = attributes[i];
                    var sample = new PersonSample(a.Age.Probabilities, a.Age.FirstAge, a.MaleProbability, r.Quality, r.Face.FaceSize, a.Descriptor, r.Time,
                        a.FaceScore, a.AgeUncertainty, embeddings[i], pose?[i], pose is null ? null : a.TurnedAway);
                    DedicatedThread.Write(output, new SampleReady(r.CameraId, r.TrackId, sample, r.CapturedAt, r.Flushed), cancellationToken);
                }
            }
            finally
            {
                foreach (var b in batch) b.Dispose();
            }
        }
    }
}
