using FaceAge.Testing;

namespace FaceAge.Architecture.Tests;

/// <summary>
/// What the compiler's style rules cannot check (.editorconfig has the rest, enforced by the build): every C# line of
/// the repository fits in the line length that .editorconfig states.
/// </summary>
public class SourceStyleTests
{
    private static int MaxLineLength()
    {
        var line = File.ReadLines(Path.Combine(RepoPaths.Root, ".editorconfig")).First(l => l.StartsWith("max_line_length", StringComparison.Ordinal));
        return int.Parse(line.Split('=')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static IEnumerable<string> SourceFiles()
        => new[] { "src", "tests" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Fact]
    public void Every_line_of_code_fits_the_line_length_of_the_editorconfig()
    {
        int max = MaxLineLength();
        var files = SourceFiles().ToList();
        Assert.True(files.Count > 100, $"found only {files.Count} C# files under src/ and tests/");
        var tooLong = files.SelectMany(f => File.ReadLines(f).Select((text, i) => (File: f, Line: i + 1, text.Length)))
            .Where(l => l.Length > max)
            .Select(l => $"{Path.GetRelativePath(RepoPaths.Root, l.File)}:{l.Line} ({l.Length} characters)")
            .ToList();
        Assert.True(tooLong.Count == 0, $"{tooLong.Count} line(s) longer than {max} characters:\n{string.Join("\n", tooLong.Take(50))}");
    }
}
