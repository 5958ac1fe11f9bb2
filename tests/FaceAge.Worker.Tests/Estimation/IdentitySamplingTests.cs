using FaceAge.Core.Fusion;
using FaceAge.Worker.Estimation;

namespace FaceAge.Worker.Tests.Estimation;

/// <summary>Which samples get a recognition embedding: a track's first ones and its clearly better views.</summary>
public class IdentitySamplingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_tracks_first_samples_are_embedded_then_only_clearly_better_views()
    {
        var sampling = new IdentitySampling();
        var wanted = new[] { 0.5, 0.4, 0.45, 0.52, 0.56, 0.3, 0.9, 0.95 }
            .Select((q, i) => sampling.Wants("cam", 1, q, T0.AddSeconds(i))).ToList();

        // The first three whatever their quality (re-entry compares them); then 0.52 is not 10 % above 0.5, 0.56 is,
        // 0.3 is worse, 0.9 is far better, 0.95 not 10 % above 0.9.
        Assert.Equal([true, true, true, false, true, false, true, false], wanted);
        Assert.Equal(3, PersonRegistry.ReentrySamples);
    }

    [Fact]
    public void Each_track_and_camera_counts_on_its_own()
    {
        var sampling = new IdentitySampling();
        for (int i = 0; i < 3; i++) Assert.True(sampling.Wants("a", 1, 0.5, T0));
        Assert.False(sampling.Wants("a", 1, 0.5, T0));
        Assert.True(sampling.Wants("b", 1, 0.5, T0));
        Assert.True(sampling.Wants("a", 2, 0.5, T0));
    }

    [Fact]
    public void Tracks_not_seen_for_a_minute_are_forgotten_once_many_are_held()
    {
        var sampling = new IdentitySampling();
        for (int t = 0; t < 5000; t++) sampling.Wants("cam", t, 0.5, T0);
        sampling.Wants("cam", 99_999, 0.5, T0.AddMinutes(2));
        Assert.True(sampling.Tracks <= 4097, $"{sampling.Tracks} tracks held");
    }
}
