using System.Text.Json;
using FaceAge.Core.Verification;
using FaceAge.Testing;

namespace FaceAge.Cli.Tests.Commands;

public class VerifyBenchCommandTests
{
    [SharedDataFact]
    public void The_verification_bench_scores_each_embedding_on_cross_age_and_video_pairs_and_writes_a_usable_calibration()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-verify").FullName;
        string shared = RepoPaths.Shared, json = Path.Combine(dir, "verify.json"), calibration = Path.Combine(dir, "verification.json");
        var result = CliRunner.Run("bench", "verify", "--subjects", Path.Combine(shared, "datasets", "fgnet-dev", "labels.csv"),
            "--videos", Path.Combine(shared, "videos", "d3.mp4"), Path.Combine(shared, "videos", "s18.mp4"),
            "--strangers", Path.Combine(shared, "datasets", "utkface-dev", "labels.csv"), "--count", "30",
            "--embeddings", "faceres-deep-int8", "fr-feature", "--far", "0.01", "--json", json, "--calibration", calibration);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("TAR @ FAR 1 %", result.Stdout);
        Assert.Contains("re-entry (faceres-deep-int8, raw cosine): threshold", result.Stdout);
        var rows = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("results").EnumerateArray()
            .Where(r => r.TryGetProperty("pairs", out _)).ToList();
        Assert.Equal(2 * 2 * 4, rows.Count); // embeddings × raw/centred × pair sets
        foreach (var r in rows)
        {
            Assert.InRange(r.GetProperty("rocArea").GetDouble(), 0.5, 1);
            // The same person across frames of a clip is easy for both; across decades (FG-NET) it is not.
            if (r.GetProperty("pairs").GetString()!.StartsWith("videos")) Assert.True(r.GetProperty("tarAtFar1").GetDouble() > 0.9);
            if (r.GetProperty("pairs").GetString()!.StartsWith("FG-NET")) Assert.True(r.GetProperty("equalErrorRate").GetDouble() > 0.1);
        }
        var cal = VerificationCalibration.Load(calibration);
        // The recognition network beats the age/gender descriptor; its faces were aligned on the 68-point landmarks.
        Assert.Equal("fr-feature", cal.Embedding);
        Assert.Equal("fr-landmark68", cal.Landmarks);
        Assert.InRange(cal.FalseAcceptRate, 0.005, 0.0101);
        Assert.True(cal.SameProbability(cal.Threshold + 0.2) > cal.SameProbability(cal.Threshold - 0.2));
        Directory.Delete(dir, true);
    }
}
