using System.CommandLine;

namespace FaceAge.Worker.Benchmark;

/// <summary>`faceage-worker bench`: its options, read into a <see cref="BenchRun"/> and checked before anything starts.</summary>
public static class BenchCommand
{
    private sealed class Options
    {
        public readonly Option<int> Streams = new("--streams") { Description = "Simulated cameras.", DefaultValueFactory = _ => 1 };
        public readonly Option<double> Fps = new("--fps")
        {
            Description = "Frames per second taken from each camera (Cameras:MaxFps).", DefaultValueFactory = _ => 10,
        };
        public readonly Option<double> Seconds = new("--seconds") { Description = "Measured seconds.", DefaultValueFactory = _ => 60 };
        public readonly Option<double> Warmup = new("--warmup") { Description = "Seconds run before measuring.", DefaultValueFactory = _ => 10 };
        public readonly Option<string> Video = new("--video")
        {
            Description = "The video every camera plays (looped).", DefaultValueFactory = _ => "models/cache/demo/demo.mp4",
        };
        public readonly Option<string?> Output = new("--out") { Description = "JSON report file (default bench-<streams>.json)." };
        public readonly Option<string?> Config = new("--config")
        {
            Description = "Settings file (default: appsettings.json in the current folder or above).",
        };
        public readonly Option<int?> Tiles = new("--tiles") { Description = "Analysis:Detector:Tiles instead of the settings' value." };
        public readonly Option<bool?> Flip = new("--flip") { Description = "Pipeline:FlipAugmentation instead of the settings' value." };
        public readonly Option<string?> Model = new("--model") { Description = "Pipeline:AgeGenderModel instead of the settings' value." };
        public readonly Option<double> SampleEvery = new("--sample-every")
        {
            Description = "Soak: a resource sample (RSS, GC heap, C heap in use and free, handles, threads) every N seconds (0 = none).",
            DefaultValueFactory = _ => 0,
        };

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { Streams, Fps, Seconds, Warmup, Video, Output, Config, Tiles, Flip, Model, SampleEvery })
                command.Options.Add(o);
        }

        public BenchRun Read(ParseResult parse) => new(
            parse.GetValue(Streams), parse.GetValue(Fps), parse.GetValue(Seconds), parse.GetValue(Warmup), parse.GetValue(Video)!,
            parse.GetValue(Output) ?? $"bench-{parse.GetValue(Streams)}.json", parse.GetValue(Config), parse.GetValue(Tiles), parse.GetValue(Flip),
            parse.GetValue(Model), parse.GetValue(SampleEvery));
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Options();
        var command = new RootCommand("faceage-worker bench: the whole pipeline on simulated live cameras, measured.");
        options.AddTo(command);
        command.SetAction(async (parse, _) =>
        {
            var run = options.Read(parse);
            var problems = run.Problems().ToList();
            foreach (var p in problems) Console.Error.WriteLine($"bench: {p}");
            return problems.Count > 0 ? 1 : await BenchRunner.RunAsync(run);
        });
        return await command.Parse(args).InvokeAsync();
    }
}

/// <summary>One bench run as asked for on the command line.</summary>
public sealed record BenchRun(
    int Streams, double Fps, double Seconds, double Warmup, string Video, string Output, string? Config, int? Tiles, bool? Flip, string? Model,
    double SampleEvery)
{
    /// <summary>Each bad value, named by its option.</summary>
    public IEnumerable<string> Problems()
    {
        if (Streams is < 1 or > 64) yield return $"--streams must be 1–64, got {Streams}.";
        if (Fps is <= 0 or > 60) yield return $"--fps must be in (0, 60], got {Fps}.";
        if (Seconds <= 0) yield return $"--seconds must be positive, got {Seconds}.";
        if (Warmup < 0) yield return $"--warmup must be ≥ 0, got {Warmup}.";
        if (SampleEvery < 0) yield return $"--sample-every must be ≥ 0, got {SampleEvery}.";
        if (!File.Exists(Video)) yield return $"--video {Video} not found (./build.sh setup makes the demo video).";
        if (Config is not null && !File.Exists(Config)) yield return $"--config {Config} not found.";
    }
}
