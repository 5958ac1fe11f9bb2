using System.CommandLine;
using System.Globalization;
using System.Text;
using FaceAge.Core.Estimation;
using FaceAge.Training.Audience;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage bench shares`: how right are a window's age-group and gender shares? The estimator's error model (systematic
/// share errors and confusion) measured on validation faces and written beside the network; then windows of people drawn
/// from faces it never saw, with several mixes of ages, counted hard, expected and corrected, against the truth.
/// </summary>
public static class SharesBenchCommand
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var options = new Options();
        var command = new Command("shares",
            "Measure the estimator's error on a crowd's age-group and gender shares (validation faces), write it as an error model, and simulate "
            + "windows of people from other faces: hard, expected and corrected counts against the truth, and the coverage of the 90 % intervals.");
        options.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() => Run(options.Read(parse))));
        return command;
    }

    /// <param name="Validation">Predictions (faceage eval --predictions) of the faces the error model is measured on.</param>
    /// <param name="Test">Predictions of the faces the windows are drawn from (never seen by the estimator or the error model).</param>
    private sealed record SharesArguments(
        string[] Validation, string[] Test, int[] AgeGroups, int[] People, int Windows, int Seed, string? ModelFile, string Network, string JsonFile);

    private sealed class Options
    {
        private readonly Option<string[]> _validation = new("--validation")
        {
            Description = "Prediction CSVs (faceage eval --predictions) of validation faces: the error model is measured on them.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<string[]> _test = new("--test")
        {
            Description = "Prediction CSVs of faces the estimator never saw: the simulated windows are drawn from them.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<int[]> _groups = new("--age-groups")
        {
            Description = "Lower bounds of the age groups (default: Analysis:AgeGroups' default; FairFace's are 0 3 10 20 30 40 50 60 70).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [.. Core.Estimation.AgeGroups.DefaultLowerBounds],
        };

        private readonly Option<int[]> _people = new("--people")
        {
            Description = "People per simulated window.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [20, 100, 1000],
        };

        private readonly Option<int> _windows = new("--windows") { Description = "Simulated windows per size and mix.", DefaultValueFactory = _ => 300 };
        private readonly Option<int> _seed = new("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };

        private readonly Option<string?> _model = new("--error-model")
        {
            Description = "Write the error model measured on --validation here (e.g. models/networks/<network>.shares.json).",
        };

        private readonly Option<string> _network = new("--network") { Description = "The network the predictions are of (recorded in the error model).",
            DefaultValueFactory = _ => "" };
        private readonly Option<string> _json = CommonOptions.JsonResults("shares-bench.json");

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { _validation, _test, _groups, _people, _windows, _seed, _model, _network, _json }) command.Options.Add(o);
        }

        public SharesArguments Read(ParseResult parse)
        {
            var people = parse.GetValue(_people)!;
            if (people.Any(p => p < 1)) throw new ArgumentException($"--people must be ≥ 1, got {string.Join(", ", people)}.");
            if (parse.GetValue(_windows) < 10) throw new ArgumentException($"--windows must be ≥ 10, got {parse.GetValue(_windows)}.");
            return new(parse.GetValue(_validation)!, parse.GetValue(_test)!, parse.GetValue(_groups)!, people, parse.GetValue(_windows), parse.GetValue(_seed),
                parse.GetValue(_model), parse.GetValue(_network)!, parse.GetValue(_json)!);
        }
    }

    private static int Run(SharesArguments arguments)
    {
        var groups = new AgeGroups(arguments.AgeGroups);
        var simulation = new ShareSimulation(groups, arguments.Seed);
        var validation = PredictedFace.Read(arguments.Validation);
        var test = PredictedFace.Read(arguments.Test);
        Console.Error.WriteLine($"shares: {validation.Count} validation faces, {test.Count} test faces, groups {string.Join(" ", groups.Names)}");
        var model = simulation.Measure(validation) with
        {
            Network = arguments.Network,
            MeasuredOn = string.Join(", ", validation.Select(f => f.Dataset).Distinct()),
            Command = "faceage " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
        };
        if (arguments.ModelFile is { } file)
        {
            model.Save(file);
            Console.Error.WriteLine($"shares: error model written to {file}");
        }
        var mixes = Mixes(groups);
        var rows = arguments.People.SelectMany(n => mixes.Select(m => simulation.Run(test, n, m.Key, m.Value, model, arguments.Windows))).ToList();
        Console.WriteLine(Table(rows));
        Console.WriteLine(string.Create(Invariant,
            $"systematic share error per group (validation): {string.Join(", ", groups.Names.Zip(model.AgeGroupSystematic, (g, s) => $"{g} {s:P1}"))}; "
            + $"male {model.MaleSystematic:P1} (by age group: {string.Join(", ", model.MaleSystematicByAgeGroup.Select(s => s.ToString("P1", Invariant)))}); "
            + $"scales fitted for 90 % coverage on validation windows: age {model.AgeScale:F3}, male {model.MaleScale:F3}"));
        JsonResultsFile.WriteWithNaN(arguments.JsonFile, new { groups = groups.Names, model, rows });
        return 0;
    }

    /// <summary>The mixes of the test windows: FairFace's three for its nine groups, else every group alike and the young or the old twice as likely.</summary>
    private static IReadOnlyDictionary<string, double[]> Mixes(AgeGroups groups)
    {
        if (groups.LowerBounds.SequenceEqual([0, 3, 10, 20, 30, 40, 50, 60, 70])) return ShareSimulation.FairFaceMixes;
        int k = groups.Names.Count;
        return new Dictionary<string, double[]>
        {
            ["uniform"] = Enumerable.Repeat(1.0, k).ToArray(),
            ["young-heavy"] = Enumerable.Range(0, k).Select(g => (double)(k - g)).ToArray(),
            ["old-heavy"] = Enumerable.Range(0, k).Select(g => (double)(g + 1)).ToArray(),
        };
    }

    private static string Table(IReadOnlyList<SimulationRow> rows)
    {
        var t = new StringBuilder();
        t.AppendLine("| people | mix | age-group share MAE: hard / expected / corrected | male share MAE: hard / expected / corrected "
            + "| 90 % intervals hold the truth: groups / male |");
        t.AppendLine("|---|---|---|---|---|");
        foreach (var r in rows)
        {
            t.AppendLine(Invariant, $"| {r.People} | {r.Mix} | {r.Hard.AgeShareMae:P2} / {r.Expected.AgeShareMae:P2} / {r.Corrected.AgeShareMae:P2} | "
                + $"{r.Hard.MaleShareMae:P2} / {r.Expected.MaleShareMae:P2} / {r.Corrected.MaleShareMae:P2} | "
                + $"{r.Expected.AgeCoverage:P1} / {r.Expected.MaleCoverage:P1} |");
        }
        return t.ToString();
    }
}
