using FaceAge.Core.Estimation;

namespace FaceAge.Core.Tests.Estimation;

public class GenderCalibrationTests
{
    [Fact]
    public void The_threshold_maps_to_one_half() => Assert.Equal(0.5f, new GenderCalibration(0.65).Apply(0.65f), 5);

    [Fact]
    public void One_half_threshold_changes_nothing() => Assert.Equal(0.8f, new GenderCalibration(0.5).Apply(0.8f), 5);

    [Fact]
    public void Order_is_kept_and_probabilities_stay_in_range()
    {
        var c = new GenderCalibration(0.65);
        var raw = new[] { 0f, 0.1f, 0.5f, 0.64f, 0.66f, 0.9f, 1f };
        var calibrated = raw.Select(c.Apply).ToArray();
        Assert.Equal(calibrated.Order(), calibrated);
        Assert.All(calibrated, p => Assert.InRange(p, 0f, 1f));
        Assert.True(c.Apply(0.6f) < 0.5f && c.Apply(0.7f) > 0.5f);
    }
}
