namespace FaceAge.Core.Estimation;

/// <summary>
/// Age buckets from ascending lower bounds: [0, 13, 18, 25] gives "0-12", "13-17", "18-24", "25+".
/// </summary>
public sealed class AgeGroups
{
    public static readonly int[] DefaultLowerBounds = [0, 13, 18, 25, 35, 45, 55, 65];

    private readonly int[] _lower;

    public AgeGroups(IReadOnlyList<int>? lowerBounds = null)
    {
        _lower = (lowerBounds is { Count: > 0 } b ? b : DefaultLowerBounds).ToArray();
        if (_lower[0] != 0) throw new ArgumentException("AgeGroups must start at 0.");
        for (int i = 1; i < _lower.Length; i++)
            if (_lower[i] <= _lower[i - 1]) throw new ArgumentException($"AgeGroups must be strictly ascending, got {string.Join(", ", _lower)}.");
        Names = _lower.Select((lo, i) => i + 1 < _lower.Length ? $"{lo}-{_lower[i + 1] - 1}" : $"{lo}+").ToArray();
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>The groups' lower bounds, ascending, the first 0.</summary>
    public IReadOnlyList<int> LowerBounds => _lower;

    /// <summary>The index of the group an age falls in.</summary>
    public int IndexOf(double age)
    {
        int index = 0;
        for (int i = 0; i < _lower.Length; i++)
            if (age >= _lower[i]) index = i;
        return index;
    }

    public string Of(double age) => Names[IndexOf(age)];
}
