namespace FaceAge.Core.Audience;

/// <summary>
/// Looking figures of a group of people: how many could see (persons whose pose was measured), how many looked long
/// enough, and for how long.
/// </summary>
/// <param name="Opportunities">Persons whose head pose was measured: opportunities to see.</param>
/// <param name="Viewers">Of them, the viewers (looked at least Attention:MinSeconds).</param>
/// <param name="ViewRate">Viewers / opportunities (0 when none).</param>
/// <param name="MeanSeconds">Attention seconds per opportunity.</param>
public sealed record AttentionFigures(int Opportunities, int Viewers, double ViewRate, double MeanSeconds, double MedianSeconds, double TotalSeconds);

/// <summary>
/// One window's attention, overall and by age group and by gender: each published person's looking seconds and viewer flag
/// (never more than these two numbers and the person's most likely group and gender).
/// </summary>
public sealed class AttentionTally
{
    private readonly List<double> _all = [];
    private readonly List<bool> _viewers = [];
    private readonly Dictionary<string, (List<double> Seconds, int Viewers)> _byAgeGroup = [];
    private readonly Dictionary<string, (List<double> Seconds, int Viewers)> _byGender = [];

    public int Opportunities => _all.Count;

    public void Add(string ageGroup, string gender, double seconds, bool viewer)
    {
        _all.Add(seconds);
        _viewers.Add(viewer);
        Into(_byAgeGroup, ageGroup, seconds, viewer);
        Into(_byGender, gender, seconds, viewer);
    }

    public AttentionFigures Overall => Figures(_all, _viewers.Count(v => v));

    public IReadOnlyDictionary<string, AttentionFigures> ByAgeGroup => _byAgeGroup.ToDictionary(g => g.Key, g => Figures(g.Value.Seconds, g.Value.Viewers));

    public IReadOnlyDictionary<string, AttentionFigures> ByGender => _byGender.ToDictionary(g => g.Key, g => Figures(g.Value.Seconds, g.Value.Viewers));

    private static void Into(Dictionary<string, (List<double> Seconds, int Viewers)> groups, string key, double seconds, bool viewer)
    {
        if (!groups.TryGetValue(key, out var g)) g = ([], 0);
        g.Seconds.Add(seconds);
        groups[key] = (g.Seconds, g.Viewers + (viewer ? 1 : 0));
    }

    private static AttentionFigures Figures(List<double> seconds, int viewers)
    {
        if (seconds.Count == 0) return new AttentionFigures(0, 0, 0, 0, 0, 0);
        var sorted = seconds.Order().ToList();
        int n = sorted.Count;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double total = sorted.Sum();
        return new AttentionFigures(n, viewers, Math.Round((double)viewers / n, 3), Math.Round(total / n, 1), Math.Round(median, 1), Math.Round(total, 1));
    }
}
