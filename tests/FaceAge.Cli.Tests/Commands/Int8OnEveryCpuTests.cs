using System.Text.Json;
using FaceAge.Core.Inference;
using FaceAge.Testing;
using Xunit.Abstractions;

namespace FaceAge.Cli.Tests.Commands;

/// <summary>
/// The worker's int8 models (age/gender and detector) give the same answers on CPUs with and without VNNI. This machine's CPU
/// runs `faceage analyze` natively; qemu-x86_64 then runs the same command emulating an AVX2-only CPU
/// (Haswell: no AVX-512, no VNNI), so ONNX Runtime takes its AVX2 int8 kernels, which add u8×s8 products in
/// saturating 16-bit pairs. With 8-bit weights those differed by up to 1.7 years and 0.06 in P(male) (descriptor
/// cosine 0.90–0.95); the 7-bit weights of the quantizer must make them agree.
/// </summary>
public class Int8OnEveryCpuTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Int8 = new()
    {
        ["FACEAGE_Analysis__AgeGenderModel"] = "faceres-deep-int8.onnx",
    };

    [Fact]
    public void Int8_model_answers_the_same_on_an_emulated_avx2_only_cpu()
    {
        output.WriteLine($"native CPU: {CpuFeatures.Current}");
        string[] args = ["analyze", RepoPaths.SamplePhotos, "--tiles", "1", "--flip", "false"];
        var native = CliRunner.RunIn(RepoPaths.Root, args, environment: Int8);
        Assert.True(native.ExitCode == 0, native.Stderr);
        var emulated = Emulated(args);
        Assert.True(emulated.ExitCode == 0, $"qemu-x86_64 (Debian qemu-user) run failed: {emulated.Stderr}");

        var a = Faces(native.Stdout);
        var b = Faces(emulated.Stdout);
        Assert.Equal(22, a.Count);
        Assert.Equal(a.Count, b.Count);
        var ageDiffs = new List<double>();
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Source, b[i].Source);
            Assert.InRange(Math.Abs(a[i].X - b[i].X), 0, 1);
            ageDiffs.Add(Math.Abs(a[i].Age - b[i].Age));
            Assert.True(Math.Abs(a[i].Age - b[i].Age) <= 0.3, $"{a[i].Source}: age {a[i].Age} native, {b[i].Age} on AVX2");
            Assert.True(Math.Abs(a[i].GenderProbability - b[i].GenderProbability) <= 0.01,
                $"{a[i].Source}: P {a[i].GenderProbability} native, {b[i].GenderProbability} on AVX2");
        }
        output.WriteLine($"{a.Count} faces: |Δage| native vs emulated AVX2 mean {ageDiffs.Average():0.000}, max {ageDiffs.Max():0.0}");
        Assert.True(ageDiffs.Average() <= 0.05, $"mean |Δage| {ageDiffs.Average():0.000}");
    }

    /// <summary>
    /// The int8 detector's activation ranges are measured at set-up by running the float model in ONNX Runtime, whose
    /// float kernels differ in the last bits between CPU kinds; the ranges are widened to a coarse grid so that every
    /// machine builds the same file. Set-up under emulation must write the very bytes it wrote here.
    /// </summary>
    [Fact]
    public void Set_up_builds_the_same_int8_detector_on_an_emulated_avx2_only_cpu()
    {
        var native = RepoPaths.Model("ultraface-rfb-320-int8.onnx");
        var models = Directory.CreateTempSubdirectory("faceage-avx2-setup-");
        try
        {
            File.Copy(Path.Combine(RepoPaths.Models, "manifest.json"), Path.Combine(models.FullName, "manifest.json"));
            Directory.CreateDirectory(Path.Combine(models.FullName, "cache"));
            // The packages set-up fetched.
            Directory.CreateSymbolicLink(Path.Combine(models.FullName, "cache", "npm"), Path.Combine(RepoPaths.Models, "cache", "npm"));
            var emulated = Emulated(["models", "setup", "--models", models.FullName, "--only", "ultraface-rfb-320-int8"]);
            Assert.True(emulated.ExitCode == 0, $"qemu-x86_64 (Debian qemu-user) run failed: {emulated.Stderr}");
            var built = Path.Combine(models.FullName, "ultraface-rfb-320-int8.onnx");
            output.WriteLine($"{native}: {Sha256(native)}; the same set-up under emulation wrote {Sha256(built)}");
            Assert.Equal(Sha256(native), Sha256(built));
        }
        finally
        {
            models.Delete(recursive: true);
        }
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>
    /// The CLI under qemu-x86_64 emulating a Haswell. The runtime settings keep .NET steady under user-mode
    /// emulation (no signal-injected thread suspension, fewer collections, and no W^X double mapping of code pages: on
    /// an AVX2-only host the emulator crashed with SIGSEGV in 3 of 6 set-up runs with it, 0 of 4 without); a run that
    /// fails under the emulator (a crash of the emulator itself, or once a managed object read as another type, which
    /// passed on the two runs after it) is retried up to twice and said so: a real difference fails every run.
    /// </summary>
    private CliRunner.Result Emulated(string[] args)
    {
        var environment = new Dictionary<string, string>(Int8)
        {
            ["DOTNET_INTERNAL_ThreadSuspendInjection"] = "0",
            ["DOTNET_TieredCompilation"] = "0",
            ["DOTNET_GCgen0size"] = "0x10000000",
            ["DOTNET_EnableWriteXorExecute"] = "0",
        };
        CliRunner.Result result = null!;
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            result = CliRunner.RunIn(RepoPaths.Root, args, ["qemu-x86_64", "-cpu", "Haswell-noTSX"], environment, TimeSpan.FromMinutes(10));
            if (result.ExitCode == 0) break;
            var failure = result.Stderr.Split('\n').FirstOrDefault(l => l.Contains("uncaught target signal", StringComparison.Ordinal)
                || l.Contains("exception", StringComparison.OrdinalIgnoreCase))?.Trim() ?? $"exit code {result.ExitCode}";
            output.WriteLine($"attempt {attempt} under the emulator failed ({failure}){(attempt < 3 ? "; once more" : "")}");
        }
        return result;
    }

    private sealed record Face(string Source, double X, double Age, double GenderProbability);

    private static List<Face> Faces(string jsonl) => jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => JsonDocument.Parse(l).RootElement)
        .Select(f => new Face(f.GetProperty("source").GetString()!, f.GetProperty("box").GetProperty("x").GetDouble(),
            f.GetProperty("age").GetDouble(), f.GetProperty("genderProbability").GetDouble()))
        .ToList();
}
