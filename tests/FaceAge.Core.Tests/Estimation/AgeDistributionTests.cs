using FaceAge.Core.Estimation;

namespace FaceAge.Core.Tests.Estimation;

public class AgeDistributionTests
{
    [Fact]
    public void All_mass_in_one_bin_gives_that_age_with_no_spread()
    {
        var p = new float[100];
        p[29] = 1; // bin 29 = age 30
        var d = new AgeDistribution(p, firstAge: 1);
        Assert.Equal(30, d.Mean, 6);
        Assert.Equal(0, d.StandardDeviation, 6);
    }

    [Fact]
    public void Two_equal_bins_give_their_midpoint_and_half_their_distance_as_spread()
    {
        var p = new float[100];
        p[19] = 0.5f; // age 20
        p[39] = 0.5f; // age 40
        var d = new AgeDistribution(p, firstAge: 1);
        Assert.Equal(30, d.Mean, 5);
        Assert.Equal(10, d.StandardDeviation, 5);
    }

    [Fact]
    public void Unnormalized_input_is_normalized()
    {
        var p = new float[100];
        p[9] = 2;
        p[11] = 2;
        Assert.Equal(11, new AgeDistribution(p).Mean, 5);
    }

    [Fact]
    public void Empty_distribution_is_rejected() => Assert.Throws<ArgumentException>(() => new AgeDistribution(new float[100]));
}
