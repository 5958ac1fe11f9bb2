using System.Globalization;

namespace FaceAge.Training.Evaluation;

/// <summary>
/// An age group label as an interval of ages in years: "3-9" holds every age from 3 up to (not including) 10,
/// "70+" every age from 70. Used to score predictions against a data set's own groups (FairFace's, say).
/// </summary>
public readonly record struct AgeInterval(int Low, int? High)
{
    /// <summary>"25-34" (lower ≤ upper) or "65+"; null when the text is neither.</summary>
    public static AgeInterval? Parse(string text)
    {
        text = text.Trim();
        if (text.EndsWith('+'))
            return int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var from) ? new AgeInterval(from, null) : null;
        var parts = text.Split('-');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var lo)
               && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hi) && lo <= hi
            ? new AgeInterval(lo, hi)
            : null;
    }

    /// <summary>The ages the group holds end just before this (High + 1), or +∞ for an open group.</summary>
    public double End => High is { } h ? h + 1 : double.PositiveInfinity;

    public bool Contains(double age) => age >= Low && age < End;

    /// <summary>How far <paramref name="age"/> lies outside the group (0 inside): the interval error of a prediction.</summary>
    public double Distance(double age) => age < Low ? Low - age : age >= End ? age - End : 0;

    /// <summary>Signed distance: negative below the group, positive above it, 0 inside.</summary>
    public double SignedDistance(double age) => age < Low ? age - Low : age >= End ? age - End : 0;

    public override string ToString() => High is { } h ? $"{Low}-{h}" : $"{Low}+";
}

/// <summary>
/// The groups a label set uses (every distinct group label of it, in age order): a predicted age is given the group
/// that holds it, or the nearest one where the labels leave a gap or the prediction lies below the youngest.
/// </summary>
public sealed class AgeIntervalSet
{
    public AgeIntervalSet(IEnumerable<AgeInterval> groups)
    {
        Groups = groups.Distinct().OrderBy(g => g.Low).ThenBy(g => g.End).ToArray();
        if (Groups.Count == 0) throw new ArgumentException("An age group set needs at least one group.");
    }

    public IReadOnlyList<AgeInterval> Groups { get; }

    public AgeInterval Of(double age)
    {
        AgeInterval best = Groups[0];
        double distance = double.PositiveInfinity;
        foreach (var g in Groups)
        {
            double d = g.Distance(age);
            if (d < distance) (best, distance) = (g, d);
            if (d == 0) break;
        }
        return best;
    }
}
