using System.Threading.Channels;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Estimation;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Estimation;
using FaceAge.Worker.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace FaceAge.Worker.Tests.Estimation;

/// <summary>The estimate stage with a fake estimator: batches across cameras, results to the fuse stage.</summary>
public class EstimationStageTests
{
    /// <summary>Answers age 20 + the crop's width and remembers the batch sizes it was given.</summary>
    private sealed class FakeEstimator : IAgeGenderEstimator
    {
        public readonly List<int> Batches = [];
        public IReadOnlyList<FaceAttributes> Estimate(IReadOnlyList<Mat> crops)
        {
            lock (Batches) Batches.Add(crops.Count);
            return crops.Select(c =>
            {
                var p = new float[100];
                p[20 + c.Width - 1] = 1;
                return new FaceAttributes(new AgeDistribution(p), 0.2f, new float[4]);
            }).ToList();
        }
    }

    private static CropRequest Crop(string camera, long track, int width)
        => new(camera, track, new FaceCrop(new FaceDetection(new BoxF(0, 0, 40, 40), 0.9f), new Mat(4, width, MatType.CV_8UC3), 40, 90, 0.7),
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Due_crops_of_all_cameras_go_in_batches_of_at_most_batch_size_and_come_back_as_samples()
    {
        var options = new PipelineOptions { BatchSize = 8, BatchMaxWaitMilliseconds = 100, SampleMaxAgeMilliseconds = 5000 };
        var metrics = new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry());
        using var crops = new CropScheduler(options, metrics, NullLogger.Instance);
        var fusion = Channel.CreateUnbounded<FusionInput>();
        var estimator = new FakeEstimator();
        // 12 tracks over two cameras, each due (first sample): one batch of 8 and one of 4.
        for (int t = 0; t < 12; t++) crops.Offer(Crop(t % 2 == 0 ? "a" : "b", t, 10 + t));
        var stage = new EstimationStage(estimator, options, metrics).RunAsync(crops, fusion.Writer, CancellationToken.None);
        crops.Complete();
        await stage.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([8, 4], estimator.Batches);
        var samples = new List<SampleReady>();
        while (fusion.Reader.TryRead(out var item)) samples.Add(Assert.IsType<SampleReady>(item));
        Assert.Equal(12, samples.Count);
        Assert.All(samples, s => Assert.Equal(20 + 10 + s.TrackId, s.Sample.AgeProbabilities.ToList().IndexOf(1) + 1));
        Assert.Equal(6, samples.Count(s => s.CameraId == "a"));
        Assert.Equal(2, metrics.BatchSize.Count);
    }

    [Fact]
    public async Task A_lone_crop_waits_at_most_the_batch_wait()
    {
        var options = new PipelineOptions { BatchSize = 8, BatchMaxWaitMilliseconds = 50 };
        var metrics = new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry());
        using var crops = new CropScheduler(options, metrics, NullLogger.Instance);
        var fusion = Channel.CreateUnbounded<FusionInput>();
        using var stop = new CancellationTokenSource();
        var stage = new EstimationStage(new FakeEstimator(), options, metrics).RunAsync(crops, fusion.Writer, stop.Token);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        crops.Offer(Crop("a", 1, 10));
        var sample = await fusion.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.InRange(clock.ElapsedMilliseconds, 40, 1000);
        Assert.Equal(1, Assert.IsType<SampleReady>(sample).TrackId);
        stop.Cancel();
        await stage.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
