using System.Text.Json;
using FaceAge.Testing;

namespace FaceAge.Cli.Tests.Commands;

public class EstimatorBenchCommandTests
{
    [Fact]
    public void Bench_estimator_writes_one_timing_per_model_thread_and_batch()
    {
        var json = Path.Combine(Directory.CreateTempSubdirectory("faceage-bench").FullName, "estimator.json");
        var result = CliRunner.Run("bench", "estimator", "--model", RepoPaths.Model("faceres-deep.onnx"), RepoPaths.Model("faceres-deep-int8.onnx"),
            "--batch", "1", "2", "--threads", "1", "--faces", "4", "--json", json);

        Assert.Equal(0, result.ExitCode);
        var rows = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.True(r.GetProperty("msPerFace").GetDouble() > 0));
        Assert.Contains("| faceres-deep-int8.onnx | none | 1 | 2 |", result.Stdout);
    }

    [Fact]
    public void Bench_estimator_times_the_whole_estimator_a_head_needs()
    {
        var json = Path.Combine(Directory.CreateTempSubdirectory("faceage-bench").FullName, "estimator.json");
        var result = CliRunner.Run("bench", "estimator", "--model", RepoPaths.Model("faceres-deep-int8.onnx"), "--head", "none", "heads/age-gender-lite.onnx",
            "--batch", "1", "--threads", "1", "--faces", "4", "--json", json);

        Assert.Equal(0, result.ExitCode);
        var rows = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("results").EnumerateArray()
            .ToDictionary(r => r.GetProperty("head").GetString()!, r => r.GetProperty("msPerFace").GetDouble());
        Assert.Equal(["none", "age-gender-lite.onnx"], rows.Keys);
        Assert.All(rows.Values, ms => Assert.True(ms > 0));
        Assert.Contains("| faceres-deep-int8.onnx | age-gender-lite.onnx | 1 | 1 |", result.Stdout);
    }

    [Fact]
    public void Missing_model_file_is_named_in_the_error()
    {
        var result = CliRunner.Run("bench", "estimator", "--model", "/nonexistent/model.onnx", "--faces", "1");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("/nonexistent/model.onnx", result.Stderr);
    }
}
