namespace FaceAge.Cli.Commands;

/// <summary>Percentiles of measured values for the bench tables (nearest rank).</summary>
public static class Percentiles
{
    /// <summary>The value at quantile <paramref name="q"/> (0–1); NaN when there are none.</summary>
    public static double Of(IReadOnlyCollection<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(q * (sorted.Count - 1)))];
    }
}
