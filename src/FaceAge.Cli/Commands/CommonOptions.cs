using System.CommandLine;

namespace FaceAge.Cli.Commands;

/// <summary>Options that several commands declare alike: one description each, a new instance per command.</summary>
internal static class CommonOptions
{
    public static Option<string?> ModelsFolder() => new("--models") { Description = "Models folder." };

    public static Option<string> JsonResults(string defaultFile)
        => new("--json") { Description = "JSON results file.", DefaultValueFactory = _ => defaultFile };

    public static Option<string> JsonSummary(string defaultFile)
        => new("--json") { Description = "Where to write the JSON summary.", DefaultValueFactory = _ => defaultFile };

    public static Option<string?> JsonLinesFile() => new("--out") { Description = "Write JSON lines to this file instead of stdout." };

    public static Option<double> VideoFps(double defaultFps)
        => new("--fps") { Description = "Frames per second taken from each video.", DefaultValueFactory = _ => defaultFps };
}
