namespace FaceAge.Core.Audience;

/// <summary>A share of the people with its 90 % interval, and the expected count it comes from.</summary>
public sealed record ShareEstimate(double Count, double Share, double Low, double High);

/// <summary>
/// The 90 % interval of a share from an expected count: share ± 1.645 · √(V / N² + s²). V is the sum of p·(1 − p) over
/// the N people (how far the true count may lie from the expected one if each person's probabilities are right); s is the
/// estimator's systematic error of that share, measured on validation windows (the probabilities are not exactly right:
/// a model that calls some 70-year-olds 60 moves the share of both groups whatever the number of people). Clipped to
/// [0, 1].
/// </summary>
public static class ShareInterval
{
    /// <summary>z of a two-sided 90 % interval.</summary>
    public const double Z90 = 1.6449;

    public static ShareEstimate Of(double expected, double variance, int people, double systematic = 0)
    {
        if (people <= 0) return new ShareEstimate(0, 0, 0, 0);
        double share = expected / people;
        double half = Z90 * Math.Sqrt(Math.Max(0, variance) / ((double)people * people) + systematic * systematic);
        return new ShareEstimate(expected, share, Math.Max(0, share - half), Math.Min(1, share + half));
    }
}
