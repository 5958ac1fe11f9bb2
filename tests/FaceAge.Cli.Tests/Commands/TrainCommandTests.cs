using System.Text.Json;
using FaceAge.Testing;

namespace FaceAge.Cli.Tests.Commands;

public class TrainCommandTests
{
    [SharedDataFact]
    public void Train_on_three_data_sets_compares_feature_sets_per_data_set_and_the_chosen_head_runs_in_eval()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-train").FullName;
        try
        {
            var data = Path.Combine(RepoPaths.Shared, "datasets");
            string[] labels =
            [
                Path.Combine(data, "utkface-dev", "labels.csv"),
                Path.Combine(data, "fairface-dev", "labels.csv"),
                Path.Combine(data, "fgnet-dev", "labels.csv"),
            ];
            var head = Path.Combine(dir, "small.onnx");
            var train = CliRunner.Run(["train", "--labels", .. labels, "--mode", "detect", "--tiles", "1", "--limit", "120", "--folds", "2", "--epochs", "20",
                "--features", "faceres-deep", "faceres-deep+faceapi-age-gender", "--out", head, "--cache", Path.Combine(dir, "cache"),
                "--predictions", Path.Combine(dir, "cv.csv")]);
            Assert.True(train.ExitCode == 0, train.Stderr);
            // One row per data set and feature set, with the cost per face beside the figures, and the choice.
            Assert.Contains("| data set | configuration | faces |", train.Stdout);
            foreach (var set in new[] { "utkface-dev", "fairface-dev", "fgnet-dev" })
            {
                Assert.Contains($"| {set} | faceres-deep (", train.Stdout);
                Assert.Contains($"| {set} | faceres-deep+faceapi-age-gender (", train.Stdout);
            }
            Assert.Contains("ms/face", train.Stdout);
            Assert.Matches("chosen: faceres-deep(\\+faceapi-age-gender)? ", train.Stdout);
            var predictions = File.ReadAllLines(Path.Combine(dir, "cv.csv"));
            Assert.InRange(predictions.Length, 340, 361);
            Assert.Contains(predictions, l => l.StartsWith("fgnet-dev,", StringComparison.Ordinal));

            using var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "small.card.json")));
            var root = card.RootElement;
            Assert.Equal(["utkface-dev", "fairface-dev", "fgnet-dev"],
                root.GetProperty("Data").EnumerateArray().Select(d => d.GetProperty("Name").GetString()));
            Assert.True(root.GetProperty("Data")[2].GetProperty("Subjects").GetInt32() > 5);
            Assert.Equal(0, root.GetProperty("Data")[2].GetProperty("WithGender").GetInt32());
            Assert.True(root.GetProperty("Data")[1].GetProperty("WithAgeGroup").GetInt32() > 100);
            Assert.Equal(1, root.GetProperty("Seed").GetInt32());
            Assert.Contains("non-commercial", root.GetProperty("Licence").GetString());
            Assert.Contains("CC BY 4.0", root.GetProperty("Licence").GetString());
            Assert.StartsWith("faceage train --labels", root.GetProperty("Command").GetString());
            Assert.InRange(root.GetProperty("UncertaintyScale").GetDouble(), 0.2, 5);
            Assert.Equal(3, root.GetProperty("CrossValidation").GetProperty("Metrics").GetArrayLength());
            Assert.Contains("## 2-fold cross-validation", File.ReadAllText(Path.Combine(dir, "small.card.md")));

            // Eval with the head (whatever feature set it chose) on two data sets, side by side with the stock outputs.
            var json = Path.Combine(dir, "summary.json");
            var eval = CliRunner.Run("eval", "--labels", labels[1], labels[2], "--mode", "detect", "--limit", "60", "--seed", "9",
                "--head", head, "--compare-head", "none", "--json", json);
            Assert.True(eval.ExitCode == 0, eval.Stderr);
            using var summary = JsonDocument.Parse(File.ReadAllText(json));
            var fairface = summary.RootElement.GetProperty("datasets")[0].GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(head, fairface[0].GetProperty("head").GetString());
            Assert.InRange(fairface[0].GetProperty("metrics").GetProperty("AgeGroupAccuracy").GetDouble(), 0.15, 1);
            Assert.InRange(fairface[0].GetProperty("metrics").GetProperty("GenderAccuracy").GetDouble(), 0.6, 1);
            Assert.InRange(EvalCommandTests.Metrics(summary, 1).GetProperty("Mae").GetDouble(), 1, 12);
            Assert.InRange(EvalCommandTests.Metrics(summary, 1).GetProperty("Coverage").GetDouble(), 0.3, 1);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Bad_training_options_stop_with_one_message_naming_each()
    {
        var result = CliRunner.Run("train", "--labels", "nowhere.csv", "--out", "head.txt", "--folds", "1", "--hidden", "-3", "--dataset-balance", "2");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--folds must be 0 (skip) or ≥ 2, got 1.", result.Stderr);
        Assert.Contains("--hidden must be 0–4096, got -3.", result.Stderr);
        Assert.Contains("--out must name an .onnx file, got 'head.txt'.", result.Stderr);
        Assert.Contains("--dataset-balance must be in [0, 1], got 2.", result.Stderr);
    }
}
