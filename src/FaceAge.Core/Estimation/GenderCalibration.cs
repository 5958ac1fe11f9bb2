namespace FaceAge.Core.Estimation;

/// <summary>
/// Moves the model's male/female decision point: P'(male) = σ(logit P(male) − logit t), so a raw
/// probability equal to the threshold t becomes 0.5. The reported gender (P' ≥ 0.5) and its probability
/// then agree. t = 0.5 leaves the model unchanged.
/// </summary>
public sealed class GenderCalibration
{
    private readonly double _shift;

    public GenderCalibration(double maleThreshold)
    {
        if (maleThreshold is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(maleThreshold), "must be in (0, 1)");
        MaleThreshold = maleThreshold;
        _shift = Logit(maleThreshold);
    }

    public double MaleThreshold { get; }

    public float Apply(float rawMaleProbability)
    {
        double p = Math.Clamp(rawMaleProbability, 1e-7, 1 - 1e-7);
        return (float)(1 / (1 + Math.Exp(-(Logit(p) - _shift))));
    }

    private static double Logit(double p) => Math.Log(p / (1 - p));
}
