using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Estimation;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace FaceAge.Worker.Tests.Estimation;

public class CropSchedulerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static CropRequest Crop(string camera, long track, DateTimeOffset at, double quality = 0.5)
        => new(camera, track, new FaceCrop(new FaceDetection(new BoxF(0, 0, 50, 50), 0.9f), new Mat(8, 8, MatType.CV_8UC3), 50, 100, quality), at, at);

    private static (CropScheduler Scheduler, ManualClock Clock, WorkerMetrics Metrics) Create(double rate = 2, int maxAgeMs = 150)
    {
        var clock = new ManualClock(T0);
        var metrics = new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry());
        var options = new PipelineOptions { SamplesPerSecondPerTrack = rate, SampleMaxAgeMilliseconds = maxAgeMs };
        return (new CropScheduler(options, metrics, NullLogger.Instance, clock), clock, metrics);
    }

    private static List<CropRequest> TakeNow(CropScheduler s, int max) => s.Take(max, TimeSpan.Zero, CancellationToken.None);

    [Fact]
    public void A_new_track_is_due_at_once_and_then_at_the_configured_rate()
    {
        var (s, clock, _) = Create(rate: 2);
        using var _ = s;
        s.Offer(Crop("a", 1, clock.Now));
        var first = TakeNow(s, 8);
        Assert.Single(first);
        first.ForEach(c => c.Dispose());

        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.False(s.Wants("a", 1, clock.Now)); // 0.2 s after a sample, at 2 per second: not yet
        clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(s.Wants("a", 1, clock.Now)); // due within the fresh-crop window
        s.Offer(Crop("a", 1, clock.Now));
        clock.Advance(TimeSpan.FromMilliseconds(60));
        var second = TakeNow(s, 8);
        Assert.Single(second);
        second.ForEach(c => c.Dispose());
    }

    [Fact]
    public void Of_the_recent_crops_the_best_is_kept_and_the_others_are_freed()
    {
        var (s, clock, _) = Create();
        using var _ = s;
        var poor = Crop("a", 1, clock.Now, quality: 0.2);
        var good = Crop("a", 1, clock.Now.AddMilliseconds(30), quality: 0.9);
        var worse = Crop("a", 1, clock.Now.AddMilliseconds(60), quality: 0.5);
        s.Offer(poor);
        s.Offer(good);
        s.Offer(worse);
        clock.Advance(TimeSpan.FromMilliseconds(60));
        var taken = Assert.Single(TakeNow(s, 8));
        Assert.Same(good, taken);
        Assert.True(poor.Face.Crop.IsDisposed);
        Assert.True(worse.Face.Crop.IsDisposed);
        taken.Dispose();
    }

    [Fact]
    public void When_the_estimator_falls_behind_tracks_with_the_fewest_samples_go_first()
    {
        var (s, clock, _) = Create(rate: 10);
        using var _ = s;
        // Track 1 has had three samples, track 2 one; both are due with a crop in hand; the estimator takes one crop.
        for (int i = 0; i < 3; i++)
        {
            s.Offer(Crop("a", 1, clock.Now));
            if (i == 0) s.Offer(Crop("b", 2, clock.Now));
            TakeNow(s, i == 0 ? 2 : 1).ForEach(c => c.Dispose());
            clock.Advance(TimeSpan.FromMilliseconds(120));
        }
        s.Offer(Crop("a", 1, clock.Now));
        s.Offer(Crop("b", 2, clock.Now));
        s.Offer(Crop("c", 3, clock.Now)); // a new track: no sample yet
        var order = new List<long>();
        for (int i = 0; i < 3; i++)
        {
            var one = Assert.Single(TakeNow(s, 1));
            order.Add(one.TrackId);
            one.Dispose();
        }
        Assert.Equal([3, 2, 1], order);
    }

    [Fact]
    public void A_crop_past_its_age_limit_is_never_estimated_and_is_counted()
    {
        var (s, clock, metrics) = Create(maxAgeMs: 150);
        using var _ = s;
        s.Offer(Crop("a", 1, clock.Now));
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Empty(s.Take(8, TimeSpan.FromMilliseconds(1), new CancellationTokenSource(TimeSpan.FromMilliseconds(300)).Token));
        Assert.Equal(1, metrics.FramesDropped.WithLabels("a", "estimate").Value);
    }

    [Fact]
    public void The_last_crop_of_a_track_without_a_sample_is_still_estimated_after_the_track_ended()
    {
        var (s, clock, _) = Create();
        using var _ = s;
        // Track 1 is sampled; track 2 (a short visit) ends before the estimator got to it.
        s.Offer(Crop("a", 1, clock.Now));
        TakeNow(s, 1).ForEach(c => c.Dispose());
        s.Offer(Crop("a", 1, clock.Now.AddMilliseconds(10)));
        s.Offer(Crop("a", 2, clock.Now.AddMilliseconds(10)));
        s.TrackEnded("a", 1);
        s.TrackEnded("a", 2);
        clock.Advance(TimeSpan.FromSeconds(5)); // long after: flushed crops have no age limit
        s.Complete();
        var left = TakeNow(s, 8);
        var flushed = Assert.Single(left);
        Assert.Equal(2, flushed.TrackId);
        Assert.True(flushed.Flushed);
        flushed.Dispose();
        Assert.Empty(TakeNow(s, 8)); // completed and drained
    }

    [Fact]
    public void Under_sustained_overload_the_effective_rate_falls_and_is_reported()
    {
        var (s, clock, metrics) = Create(rate: 2);
        using var _ = s;
        // 20 tracks want 2 samples a second each (40/s); the estimator takes 10 a second.
        for (int step = 0; step < 120; step++)
        {
            for (long t = 1; t <= 20; t++)
                if (s.Wants("a", t, clock.Now)) s.Offer(Crop("a", t, clock.Now));
            if (step % 10 == 0) TakeNow(s, 10).ForEach(c => c.Dispose());
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }
        Assert.InRange(s.EffectiveRate, 0.3, 0.7);
        Assert.Equal(s.EffectiveRate, metrics.SamplingRate.Value, 3);
    }
}
