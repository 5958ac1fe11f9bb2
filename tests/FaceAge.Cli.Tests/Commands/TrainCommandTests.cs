using System.Text.Json;
using FaceAge.Testing;

namespace FaceAge.Cli.Tests.Commands;

public class TrainCommandTests
{
    [SharedDataFact]
    public void Train_cross_validates_exports_a_head_with_its_card_and_eval_uses_the_head()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-train").FullName;
        try
        {
            var labels = Path.Combine(RepoPaths.Shared, "datasets", "utkface-dev", "labels.csv");
            var head = Path.Combine(dir, "small.onnx");
            var train = CliRunner.Run("train", "--labels", labels, "--limit", "400", "--folds", "2", "--epochs", "30",
                "--out", head, "--cache", Path.Combine(dir, "cache"), "--predictions", Path.Combine(dir, "cv.csv"));
            Assert.True(train.ExitCode == 0, train.Stderr);
            Assert.Contains("2-fold cross-validation", train.Stdout);
            Assert.Contains("age MAE", train.Stdout);
            Assert.Equal(401, File.ReadAllLines(Path.Combine(dir, "cv.csv")).Length);

            using var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "small.card.json")));
            Assert.Equal(400, card.RootElement.GetProperty("Data").GetProperty("Images").GetInt32());
            Assert.Equal(1, card.RootElement.GetProperty("Seed").GetInt32());
            Assert.Contains("non-commercial", card.RootElement.GetProperty("Licence").GetString());
            Assert.Contains("## 2-fold cross-validation", File.ReadAllText(Path.Combine(dir, "small.card.md")));
            // 10 % of the 400 images held out for early stopping, listed by path.
            Assert.Equal(40, File.ReadAllLines(Path.Combine(dir, "small.validation.txt")).Count(l => !l.StartsWith('#')));

            // Eval with the head, side by side with the stock outputs, on a sample of the split.
            var json = Path.Combine(dir, "summary.json");
            var eval = CliRunner.Run("eval", "--labels", labels, "--limit", "100", "--seed", "9", "--head", head, "--compare-head", "none", "--json", json);
            Assert.True(eval.ExitCode == 0, eval.Stderr);
            using var summary = JsonDocument.Parse(File.ReadAllText(json));
            var compared = summary.RootElement.GetProperty("datasets")[0].GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(head, compared[0].GetProperty("head").GetString());
            Assert.Equal(JsonValueKind.Null, compared[1].GetProperty("head").ValueKind);
            double headMae = compared[0].GetProperty("metrics").GetProperty("Mae").GetDouble();
            double stockMae = compared[1].GetProperty("metrics").GetProperty("Mae").GetDouble();
            // A head from 400 images is no better than the stock outputs yet; it must still be a working age model.
            Assert.InRange(headMae, 2, 9);
            Assert.NotEqual(stockMae, headMae);
            Assert.InRange(compared[0].GetProperty("metrics").GetProperty("GenderAccuracy").GetDouble(), 0.8, 1);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [SharedDataFact]
    public void Train_with_the_last_block_exports_head_and_backbone_together_and_eval_runs_them()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-train").FullName;
        try
        {
            var labels = Path.Combine(RepoPaths.Shared, "datasets", "utkface-dev", "labels.csv");
            var head = Path.Combine(dir, "tuned.onnx");
            var train = CliRunner.Run("train", "--labels", labels, "--limit", "200", "--folds", "2", "--epochs", "15", "--tune-last-block", "--block-epochs", "2",
                "--out", head, "--cache", Path.Combine(dir, "cache"));
            Assert.True(train.ExitCode == 0, train.Stderr);
            Assert.Contains("2-fold cross-validation", train.Stdout);
            Assert.Contains("head only validation MAE", train.Stderr);
            var backbone = Path.Combine(dir, "tuned.backbone.onnx");
            Assert.True(File.Exists(backbone));
            using (var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tuned.card.json"))))
            {
                Assert.Equal("tuned.backbone.onnx", card.RootElement.GetProperty("Backbone").GetString());
                Assert.Equal(Core.ModelFiles.ModelIntegrity.Sha256Of(backbone), card.RootElement.GetProperty("BackboneSha256").GetString());
                Assert.Equal(16, card.RootElement.GetProperty("LastBlock").GetProperty("Rank").GetInt32());
            }
            Assert.Contains("--tune-last-block", File.ReadAllText(Path.Combine(dir, "tuned.card.md")));

            var json = Path.Combine(dir, "summary.json");
            var eval = CliRunner.Run("eval", "--labels", labels, "--limit", "60", "--seed", "9", "--head", head, "--json", json);
            Assert.True(eval.ExitCode == 0, eval.Stderr);
            using (var summary = JsonDocument.Parse(File.ReadAllText(json)))
                Assert.InRange(EvalCommandTests.Metrics(summary, 0).GetProperty("Mae").GetDouble(), 2, 12);

            // The backbone is checked against the card like the head.
            File.AppendAllText(backbone, "x");
            var corrupt = CliRunner.Run("eval", "--labels", labels, "--limit", "5", "--head", head);
            Assert.NotEqual(0, corrupt.ExitCode);
            Assert.Contains("tuned.backbone.onnx is changed or corrupt", corrupt.Stderr);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Bad_training_options_stop_with_one_message_naming_each()
    {
        var result = CliRunner.Run("train", "--labels", "nowhere.csv", "--out", "head.txt", "--folds", "1", "--hidden", "-3", "--tune-last-block", "--rank", "0");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--folds must be 0 (skip) or ≥ 2, got 1.", result.Stderr);
        Assert.Contains("--hidden must be 0–4096, got -3.", result.Stderr);
        Assert.Contains("--out must name an .onnx file, got 'head.txt'.", result.Stderr);
        Assert.Contains("--rank must be 1–1024, got 0.", result.Stderr);
    }
}
