using FaceAge.Training.Evaluation;

namespace FaceAge.Training;

/// <summary>
/// What a head is taught about one sample's age: a soft Gaussian around an exact age (label-distribution learning),
/// or an age group [Low, End) whose probability it should raise (the prediction renormalized inside the group is the
/// target, so the loss is −log P(group)). None when the label holds no age.
/// </summary>
public sealed class AgeTarget
{
    private readonly float[]? _gaussian;
    private readonly AgeInterval? _group;
    private readonly double _age;

    private AgeTarget(float[]? gaussian, AgeInterval? group, double age)
    {
        _gaussian = gaussian;
        _group = group;
        _age = age;
    }

    public static readonly AgeTarget None = new(null, null, double.NaN);

    public static AgeTarget Of(HeadSample sample, double sigma)
        => sample.Age is { } age ? new AgeTarget(HeadTrainer.GaussianTarget(age, sigma), null, age)
            : sample.AgeGroup is { } group ? new AgeTarget(null, group, double.NaN)
            : None;

    public bool HasAge => _gaussian is not null || _group is not null;

    /// <summary>The target distribution over ages 0–120 given the prediction <paramref name="p"/>.</summary>
    public float[] Soft(float[] p)
    {
        if (_gaussian is not null) return _gaussian;
        var t = new float[p.Length];
        if (_group is not { } g) return t;
        double mass = 0;
        for (int k = 0; k < p.Length; k++) if (g.Contains(k)) mass += p[k];
        if (mass <= 1e-12)
        {
            // No mass in the group yet: aim at the group uniformly.
            int n = Enumerable.Range(0, p.Length).Count(k => g.Contains(k));
            for (int k = 0; k < p.Length; k++) t[k] = g.Contains(k) ? 1f / n : 0;
            return t;
        }
        for (int k = 0; k < p.Length; k++) t[k] = g.Contains(k) ? (float)(p[k] / mass) : 0;
        return t;
    }

    /// <summary>−Σ t log p for an exact age; −log P(group) for a group.</summary>
    public double CrossEntropy(float[] p)
    {
        if (_gaussian is not null)
        {
            double loss = 0;
            for (int k = 0; k < p.Length; k++) if (_gaussian[k] > 0) loss -= _gaussian[k] * Math.Log(Math.Max(p[k], 1e-12f));
            return loss;
        }
        if (_group is not { } g) return 0;
        double mass = 0;
        for (int k = 0; k < p.Length; k++) if (g.Contains(k)) mass += p[k];
        return -Math.Log(Math.Max(mass, 1e-12));
    }

    /// <summary>|E − age| for an exact age; the distance from E to the group for a group.</summary>
    public double Distance(double expected) => _group is { } g ? g.Distance(expected) : Math.Abs(expected - _age);

    /// <summary>The sign of d(distance)/dE: +1 above, −1 below, 0 inside a group.</summary>
    public float ExpectationSign(double expected) => _group is { } g ? Math.Sign(g.SignedDistance(expected)) : Math.Sign(expected - _age);
}
