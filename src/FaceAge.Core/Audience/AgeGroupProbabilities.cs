using FaceAge.Core.Estimation;

namespace FaceAge.Core.Audience;

/// <summary>
/// How likely a person is to belong to each age group, from their estimated age and its ±: the ± is calibrated to hold
/// the true age for 68 % of people, as one standard deviation of a normal distribution does, so the probability of a
/// group is that normal distribution's mass over the group's ages (the first group takes everything below it, the last
/// everything above).
/// </summary>
public static class AgeGroupProbabilities
{
    /// <summary>The narrowest ± a probability is spread over (a fused ± of 0 would make the group certain).</summary>
    public const double MinUncertainty = 0.5;

    public static double[] Of(double age, double uncertainty, AgeGroups groups)
    {
        var bounds = groups.LowerBounds;
        double sd = Math.Max(MinUncertainty, double.IsFinite(uncertainty) ? uncertainty : MinUncertainty);
        var p = new double[bounds.Count];
        double below = 0;
        for (int i = 0; i < bounds.Count; i++)
        {
            double upTo = i + 1 < bounds.Count ? NormalCdf((bounds[i + 1] - age) / sd) : 1;
            p[i] = Math.Max(0, upTo - below);
            below = upTo;
        }
        return p;
    }

    /// <summary>Φ(x), the standard normal's distribution function (Abramowitz and Stegun 7.1.26, error below 1.5e-7).</summary>
    public static double NormalCdf(double x)
    {
        double z = Math.Abs(x) / Math.Sqrt(2), t = 1 / (1 + 0.3275911 * z);
        double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-z * z);
        return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
