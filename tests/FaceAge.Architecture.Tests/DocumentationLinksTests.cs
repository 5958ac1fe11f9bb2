using System.Text.RegularExpressions;
using FaceAge.Testing;

namespace FaceAge.Architecture.Tests;

/// <summary>The docs send readers to one another by relative links; every such link leads to a file (or folder) that exists.</summary>
public partial class DocumentationLinksTests
{
    [GeneratedRegex(@"\]\((?<target>[^)#\s]+)(#[^)]*)?\)")]
    private static partial Regex Link();

    [Fact]
    public void Every_relative_link_in_the_markdown_files_leads_to_a_file_that_exists()
    {
        var files = Directory.EnumerateFiles(RepoPaths.Root, "*.md", SearchOption.AllDirectories)
            .Where(f => !f.Contains("node_modules", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}models{Path.DirectorySeparatorChar}cache", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}artifacts{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(files, f => Path.GetFileName(f) == "README.md");
        var broken = new List<string>();
        foreach (var file in files)
            foreach (Match m in Link().Matches(File.ReadAllText(file)))
            {
                var target = m.Groups["target"].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, target));
                if (!File.Exists(path) && !Directory.Exists(path)) broken.Add($"{Path.GetRelativePath(RepoPaths.Root, file)}: {target}");
            }
        Assert.True(broken.Count == 0, "links to nothing:\n" + string.Join("\n", broken));
    }
}
