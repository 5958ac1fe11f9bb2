using System.CommandLine;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using Microsoft.Extensions.Configuration;

namespace FaceAge.Cli.Commands;

/// <summary>
/// Analysis options for CLI commands: appsettings.json ("Analysis" section, from --config or the
/// nearest one above the working directory), then FACEAGE_ environment variables, then command-line
/// overrides.
/// </summary>
public sealed class AnalysisSettings
{
    public Option<string?> Config { get; } = new("--config") { Description = "Settings file (default: appsettings.json in the current folder or above)." };
    public Option<string?> Models { get; } = new("--models") { Description = "Models folder (default: ./models or $FACEAGE_MODELS)." };
    public Option<string?> Detector { get; } = DetectorOption();
    public Option<string?> DetectorModel { get; } = new("--detector-model") { Description = "ONNX file for the detector (required for YuNet)." };
    public Option<float?> Threshold { get; } = new("--threshold") { Description = "Detection score threshold (0–1)." };
    public Option<int?> Tiles { get; } = new("--tiles") { Description = "Also detect on an N×N grid of tiles for small faces." };
    public Option<float?> Margin { get; } = new("--margin") { Description = "Crop margin per side as a fraction of the face box." };

    public Option<string?> Head { get; } = new("--head")
    {
        Description = "Trained age/gender head (from faceage train; file in the models folder, e.g. heads/utkface-dev.onnx, or a path); "
            + "'none' = the model's own outputs.",
    };

    public Option<bool?> Flip { get; } = new("--flip")
    {
        Description = "Use each face's mirror image too: analysis averages both (Analysis:FlipAugmentation); train adds the mirrors as samples.",
    };

    /// <summary>--detector, its help and accepted values from the detector registry.</summary>
    private static Option<string?> DetectorOption()
    {
        var option = new Option<string?>("--detector") { Description = $"Face detector. {DetectorRegistry.Help}." };
        option.AcceptOnlyFromAmong([.. DetectorRegistry.Names]);
        return option;
    }

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Config, Models, Detector, DetectorModel, Threshold, Tiles, Margin, Head, Flip }) command.Options.Add(o);
    }

    /// <summary>The head a --head or --compare-head value names: null for 'none' (the model's own outputs).</summary>
    public static string? HeadFile(string value) => value.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : value;

    public AnalyzerOptions Load(ParseResult parse)
    {
        var file = parse.GetValue(Config) ?? FaceAge.Core.Configuration.SettingsFile.Find();
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"Settings file not found: {file}", file);
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        builder.AddEnvironmentVariables("FACEAGE_");
        var configuration = builder.Build();
        AnalyzerOptions options;
        try
        {
            options = configuration.GetSection("Analysis").Get<AnalyzerOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new AnalyzerOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"{file ?? "configuration"}: {e.Message}", e);
        }

        var detector = options.Detector;
        if (parse.GetValue(Detector) is { } kind) detector = detector with { Kind = kind };
        if (parse.GetValue(DetectorModel) is { } model) detector = detector with { ModelPath = model };
        if (parse.GetValue(Threshold) is { } threshold) detector = detector with { ScoreThreshold = threshold };
        if (parse.GetValue(Tiles) is { } tiles) detector = detector with { Tiles = tiles };
        options = options with { Detector = detector };
        if (parse.GetValue(Models) is { } models) options = options with { ModelsDirectory = models };
        if (parse.GetValue(Margin) is { } margin) options = options with { CropMargin = margin };
        if (parse.GetValue(Head) is { } head) options = options with { AgeGenderHead = HeadFile(head) };
        if (parse.GetValue(Flip) is { } flip) options = options with { FlipAugmentation = flip };
        return options;
    }
}
