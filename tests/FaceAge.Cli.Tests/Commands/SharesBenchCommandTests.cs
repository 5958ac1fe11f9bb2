using System.Globalization;
using System.Text.Json;

namespace FaceAge.Cli.Tests.Commands;

public class SharesBenchCommandTests
{
    /// <summary>A prediction CSV as `faceage eval --predictions` writes it: exact ages or FairFace groups, an estimate a few years off.</summary>
    private static string Predictions(string dir, string name, bool groups)
    {
        var path = Path.Combine(dir, name + ".csv");
        var random = new Random(name.Length);
        var lines = new List<string> { "dataset,path,subject,true_age,true_age_group,predicted_age,age_uncertainty,true_gender,p_male" };
        string[] fairface = ["0-2", "3-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70+"];
        for (int i = 0; i < 400; i++)
        {
            int age = 1 + random.Next(85);
            bool male = random.Next(2) == 0;
            string group = fairface.Last(g => int.Parse(g.TrimEnd('+').Split('-')[0], CultureInfo.InvariantCulture) <= age);
            double estimate = Math.Max(1, age + random.NextDouble() * 12 - 6);
            double pMale = male ? 0.6 + random.NextDouble() * 0.4 : random.NextDouble() * 0.4;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name},img{i}.jpg,,{(groups ? "" : age)},{(groups ? group : "")},{estimate:0.00},5.00,{(male ? "Male" : "Female")},{pMale:0.000}"));
        }
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Bench_shares_writes_the_error_model_and_gives_the_same_windows_in_every_run()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-shares").FullName;
        var validation = Predictions(dir, "validation", groups: false);
        var test = Predictions(dir, "test", groups: true);
        string[] Args(string n) => ["bench", "shares", "--validation", validation, "--test", test, "--people", "20", "100", "--windows", "40",
            "--error-model", Path.Combine(dir, $"model{n}.json"), "--network", "synthetic", "--json", Path.Combine(dir, $"bench{n}.json")];

        var first = CliRunner.Run(Args("1"));
        var second = CliRunner.Run(Args("2"));

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("| 100 | young-heavy |", first.Stdout);
        Assert.Equal(first.Stdout, second.Stdout); // seeded: another process draws the same windows
        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "model1.json")));
        Assert.Equal("synthetic", model.RootElement.GetProperty("network").GetString());
        Assert.Equal(8, model.RootElement.GetProperty("ageGroupBounds").GetArrayLength());
        Assert.Equal(8, model.RootElement.GetProperty("ageGroupConfusion").GetArrayLength());
        var rows = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "bench1.json"))).RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(6, rows.Count); // 2 sizes × 3 mixes
    }

    [Fact]
    public void Bench_shares_names_a_missing_predictions_file()
    {
        var result = CliRunner.Run("bench", "shares", "--validation", "/nonexistent/v.csv", "--test", "/nonexistent/t.csv");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("/nonexistent/v.csv", result.Stdout + result.Stderr);
    }
}
