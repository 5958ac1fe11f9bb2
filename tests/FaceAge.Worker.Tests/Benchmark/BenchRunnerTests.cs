using System.Text.Json;
using System.Text.RegularExpressions;
using FaceAge.Testing;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Benchmark;

/// <summary>`faceage-worker bench` run as a user runs it: the built worker, from the repository root.</summary>
public class BenchRunnerTests
{
    private static async Task<(int? ExitCode, string Output)> Bench(params string[] args)
    {
        using var bench = new ChildProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "faceage-worker.dll"), "bench", .. args], RepoPaths.Root);
        var exit = await bench.WaitForExitAsync(TimeSpan.FromMinutes(2));
        return (exit, bench.Output);
    }

    [Theory]
    [InlineData("--streams", "abc")]
    [InlineData("--streams", "0")]
    [InlineData("--fps", "-1")]
    [InlineData("--video", "no-such-video.mp4")]
    public async Task A_bad_option_value_is_an_error_that_names_the_option(string option, string value)
    {
        var (exit, output) = await Bench(option, value, "--seconds", "1", "--warmup", "0");

        Assert.NotEqual(0, exit);
        Assert.Contains(option, output);
    }

    [Fact]
    public async Task A_short_run_reports_its_machine_the_worker_defaults_and_where_the_cpu_went()
    {
        var json = Path.Combine(Directory.CreateTempSubdirectory("faceage-bench").FullName, "bench.json");
        var (exit, output) = await Bench("--streams", "1", "--fps", "5", "--seconds", "6", "--warmup", "3", "--sample-every", "2", "--out", json);
        Assert.True(exit == 0, output);

        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var root = report.RootElement;

        var machine = root.GetProperty("machine");
        Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty("Cpu").GetString()));
        Assert.Equal(Environment.ProcessorCount, machine.GetProperty("Cores").GetInt32());
        Assert.Matches(@"^\d+\.\d+\.\d+", machine.GetProperty("OnnxRuntime").GetString());
        if (File.Exists("/proc/cpuinfo"))
        {
            var cpuinfo = File.ReadAllText("/proc/cpuinfo");
            bool Has(string flag) => Regex.IsMatch(cpuinfo, $@"\b{flag}\b");
            Assert.Equal(Has("avx512_vnni") || Has("avx_vnni"), machine.GetProperty("Vnni").GetBoolean());
            Assert.Equal(Has("avx2"), machine.GetProperty("Flags").GetString()!.Split(' ').Contains("avx2"));
        }

        // The worker's own settings file, not bench-only defaults.
        using var appsettings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "appsettings.json")));
        var detector = appsettings.RootElement.GetProperty("Analysis").GetProperty("Detector");
        var settings = root.GetProperty("settings");
        Assert.Equal(Path.Combine(RepoPaths.Root, "appsettings.json"), settings.GetProperty("file").GetString());
        Assert.Equal(detector.GetProperty("Kind").GetString(), settings.GetProperty("detector").GetString());
        Assert.Equal(detector.GetProperty("Tiles").GetInt32(), settings.GetProperty("tiles").GetInt32());

        Assert.InRange(root.GetProperty("framesDecodedPerSecond").GetDouble(), 3, 6);
        var cpu = root.GetProperty("cpuCores");
        Assert.True(cpu.GetProperty("detectorModel").GetDouble() > 0);
        // 3 s after start the JIT is still tiering methods up: a warm-up that short shows.
        Assert.True(cpu.GetProperty("jitCompilation").GetDouble() > 0);
        Assert.InRange(cpu.GetProperty("pipelineOwnShareOfCpu").GetDouble(), 0.001, 1);

        var samples = root.GetProperty("resourceSamples").EnumerateArray().ToList();
        Assert.True(samples.Count >= 3, $"{samples.Count} resource samples in 6 s at one every 2 s");
        Assert.All(samples, s => Assert.True(s.GetProperty("Threads").GetInt32() > 0 && s.GetProperty("RssMiB").GetDouble() > 0));
    }
}
