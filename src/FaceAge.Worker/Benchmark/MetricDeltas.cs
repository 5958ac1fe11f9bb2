using System.Globalization;
using Prometheus;

namespace FaceAge.Worker.Benchmark;

/// <summary>
/// The worker's Prometheus series read before and after the measured time, and what each grew by: the bench counts
/// what the running worker itself reports, so its figures are the ones a user's dashboard shows.
/// </summary>
internal sealed class MetricDeltas(Dictionary<string, double> before, Dictionary<string, double> after, double seconds)
{
    /// <summary>Every series of the registry now: its text name with labels → value.</summary>
    public static async Task<Dictionary<string, double>> ReadAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var values = new Dictionary<string, double>();
        foreach (var line in System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) values[line[..space]] = v;
        }
        return values;
    }

    /// <summary>Growth of the series whose name passes <paramref name="key"/>, summed.</summary>
    public double Where(Func<string, bool> key) => after.Where(kv => key(kv.Key)).Sum(kv => kv.Value) - before.Where(kv => key(kv.Key)).Sum(kv => kv.Value);

    /// <summary>Growth of the series that start with <paramref name="prefix"/> (a name, or a name with its first labels).</summary>
    public double Of(string prefix) => Where(k => k.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Per second over the measured time, summed over the series of one counter that carry a label value.</summary>
    public double PerSecond(string counter, string label)
        => Math.Round(Where(k => k.StartsWith(counter + "{", StringComparison.Ordinal) && k.Contains(label, StringComparison.Ordinal)) / seconds, 1);

    /// <summary>Growth of a counter per value of its first label (e.g. per camera), summed over its other labels.</summary>
    public Dictionary<string, double> ByFirstLabel(string counter, Func<string, bool>? key = null)
    {
        string prefix = counter + "{";
        static string? FirstLabel(string series, string prefix)
        {
            int start = series.IndexOf('"', prefix.Length);
            int end = start < 0 ? -1 : series.IndexOf('"', start + 1);
            return end < 0 ? null : series[(start + 1)..end];
        }
        var growth = new Dictionary<string, double>();
        foreach (var (series, sign) in after.Select(kv => (kv, 1.0)).Concat(before.Select(kv => (kv, -1.0))))
        {
            if (!series.Key.StartsWith(prefix, StringComparison.Ordinal) || (key is not null && !key(series.Key))) continue;
            if (FirstLabel(series.Key, prefix) is { } label) growth[label] = growth.GetValueOrDefault(label) + sign * series.Value;
        }
        return growth;
    }

    /// <summary>A gauge's value at the end, rounded; NaN when the worker never set it.</summary>
    public double Gauge(string series) => after.TryGetValue(series, out var v) ? Math.Round(v, 2) : double.NaN;

    /// <summary>The sum of a gauge's series at the end.</summary>
    public double GaugeSum(string prefix) => after.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(kv => kv.Value);
}
