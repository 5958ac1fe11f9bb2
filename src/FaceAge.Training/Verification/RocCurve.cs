namespace FaceAge.Training.Verification;

/// <summary>
/// Verification quality from the similarities of genuine (same person) and impostor (different people) pairs:
/// equal error rate, true-accept rate at a false-accept rate, the threshold that gives it, and the area under the ROC.
/// A pair is accepted when its similarity is ≥ the threshold.
/// </summary>
public sealed class RocCurve
{
    private readonly double[] _genuine, _impostor; // ascending

    public RocCurve(IEnumerable<double> genuine, IEnumerable<double> impostor)
    {
        _genuine = [.. genuine.Order()];
        _impostor = [.. impostor.Order()];
        if (_genuine.Length == 0 || _impostor.Length == 0) throw new ArgumentException("A ROC needs genuine and impostor pairs.");
    }

    public int Genuine => _genuine.Length;
    public int Impostor => _impostor.Length;

    /// <summary>Share of impostor pairs at or above the threshold.</summary>
    public double FalseAcceptRate(double threshold) => (double)(_impostor.Length - LowerBound(_impostor, threshold)) / _impostor.Length;

    /// <summary>Share of genuine pairs at or above the threshold.</summary>
    public double TrueAcceptRate(double threshold) => (double)(_genuine.Length - LowerBound(_genuine, threshold)) / _genuine.Length;

    /// <summary>The lowest threshold whose false-accept rate is ≤ <paramref name="far"/>.</summary>
    public double ThresholdAt(double far)
    {
        // Accepting the top k impostors gives FAR k/n; the threshold sits just above impostor n-k-1.
        int allowed = (int)Math.Floor(far * _impostor.Length);
        if (allowed >= _impostor.Length) return _impostor[0];
        return Math.BitIncrement(_impostor[_impostor.Length - allowed - 1]);
    }

    public double TrueAcceptRateAt(double far) => TrueAcceptRate(ThresholdAt(far));

    /// <summary>Equal error rate and the threshold where false accepts and false rejects meet.</summary>
    public (double Rate, double Threshold) EqualErrorRate()
    {
        double best = double.MaxValue, rate = 1, at = 0;
        foreach (var t in _genuine.Concat(_impostor).Distinct())
        {
            double far = FalseAcceptRate(t), frr = 1 - TrueAcceptRate(t);
            if (Math.Abs(far - frr) < best) (best, rate, at) = (Math.Abs(far - frr), (far + frr) / 2, t);
        }
        return (rate, at);
    }

    /// <summary>P(a random genuine pair is more similar than a random impostor pair), ties counting half.</summary>
    public double AreaUnderCurve()
    {
        double wins = 0;
        foreach (var g in _genuine)
        {
            int below = LowerBound(_impostor, g), notAbove = UpperBound(_impostor, g);
            wins += below + 0.5 * (notAbove - below);
        }
        return wins / ((double)_genuine.Length * _impostor.Length);
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] < value) lo = mid + 1; else hi = mid; }
        return lo;
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] <= value) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
