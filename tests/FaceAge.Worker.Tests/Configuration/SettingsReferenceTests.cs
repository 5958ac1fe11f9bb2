using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using FaceAge.Testing;
using FaceAge.Worker.Configuration;
using Xunit.Abstractions;

namespace FaceAge.Worker.Tests.Configuration;

/// <summary>
/// docs/configuration.md, the settings reference, against the options records the worker binds: every key the worker
/// reads is documented, every documented key is read, and each documented default is the record's default.
/// </summary>
public partial class SettingsReferenceTests(ITestOutputHelper output)
{
    /// <summary>A leaf setting: its key ("Pipeline:BatchSize", "Cameras[]:Id") and its default (null where it has none or it is a list).</summary>
    private sealed record Setting(string Key, Type Type, object? Default);

    private static IEnumerable<Setting> Settings()
        => WorkerSettings.Sections.SelectMany(s => Walk(s.Key, s.Value, null));

    private static IEnumerable<Setting> Walk(string key, Type type, object? value)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        // A dictionary, or a list inside a section (URLs, age bands), is one setting; only a section that is a list (Cameras) has items to walk.
        bool section = !key.Contains(':', StringComparison.Ordinal);
        if (IsLeaf(type) || IsDictionary(type) || (ElementType(type) is not null && !section))
        {
            yield return new Setting(key, type, IsLeaf(type) ? value : null);
            yield break;
        }
        if (ElementType(type) is { } element)
        {
            foreach (var s in Walk(key + "[]", element, null)) yield return s;
            yield break;
        }
        var instance = value ?? Create(type);
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0))
            foreach (var s in Walk($"{key}:{p.Name}", p.PropertyType, instance is null ? null : p.GetValue(instance))) yield return s;
    }

    private static object? Create(Type type)
    {
        var parameterless = type.GetConstructor(Type.EmptyTypes);
        if (parameterless is not null) return parameterless.Invoke(null);
        // A positional record whose parameters all have defaults (Http's section).
        var ctor = type.GetConstructors().FirstOrDefault(c => c.GetParameters().All(p => p.HasDefaultValue));
        return ctor?.Invoke(ctor.GetParameters().Select(p => p.DefaultValue).ToArray());
    }

    private static bool IsLeaf(Type t) => t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(Uri);

    private static bool IsDictionary(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() is var d
        && (d == typeof(Dictionary<,>) || d == typeof(IReadOnlyDictionary<,>) || d == typeof(IDictionary<,>));

    private static Type? ElementType(Type t)
    {
        if (t.IsArray) return t.GetElementType();
        if (t.IsGenericType && typeof(IEnumerable).IsAssignableFrom(t) && !IsDictionary(t)) return t.GetGenericArguments()[0];
        return null;
    }

    /// <summary>The rows of the reference's tables: key → the default column's text.</summary>
    private static Dictionary<string, string> DocumentedSettings()
    {
        var doc = File.ReadAllLines(Path.Combine(RepoPaths.Root, "docs", "configuration.md"));
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in doc)
        {
            var m = Row().Match(line);
            if (m.Success) rows.Add(m.Groups["key"].Value, m.Groups["default"].Value.Trim());
        }
        return rows;
    }

    [GeneratedRegex(@"^\| `(?<key>[A-Za-z\[\]:]+)` \| (?<default>[^|]*) \|")]
    private static partial Regex Row();

    [Fact]
    public void Every_setting_the_worker_reads_is_documented_and_every_documented_setting_is_read()
    {
        var keys = Settings().Select(s => s.Key).ToList();
        var documented = DocumentedSettings();
        output.WriteLine($"{keys.Count} settings in the options records, {documented.Count} rows in docs/configuration.md");
        Assert.True(keys.Count > 60, $"only {keys.Count} settings found");
        var problems = keys.Where(k => !documented.ContainsKey(k)).Select(k => $"not documented: {k}")
            .Concat(documented.Keys.Where(k => !keys.Contains(k)).Select(k => $"documented but not a setting: {k}")).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Each_documented_default_is_the_default_of_its_options_record()
    {
        var documented = DocumentedSettings();
        var wrong = new List<string>();
        foreach (var s in Settings().Where(s => s.Default is not null && documented.ContainsKey(s.Key)))
        {
            var cell = documented[s.Key];
            // An empty default (a required value, or one chosen at run time) is described in words.
            if (s.Default is "") continue;
            var m = Regex.Match(cell, "^`(?<v>[^`]*)`");
            if (!m.Success)
            {
                wrong.Add($"{s.Key}: default column '{cell}' does not start with the default in backticks (the record has '{s.Default}')");
                continue;
            }
            if (!SameValue(m.Groups["v"].Value, s.Default!)) wrong.Add($"{s.Key}: documented `{m.Groups["v"].Value}`, the record has '{Format(s.Default!)}'");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static bool SameValue(string text, object value) => value switch
    {
        string s => text == (s.Length == 0 ? "\"\"" : s),
        bool b => text == (b ? "true" : "false"),
        TimeSpan t => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var u) && u == t,
        Enum e => text == e.ToString(),
        IConvertible c => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && Math.Abs(d - c.ToDouble(CultureInfo.InvariantCulture)) <= 1e-6 * Math.Max(1, Math.Abs(d)), // float settings
        _ => text == value.ToString(),
    };

    private static string Format(object value) => value switch
    {
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
