using System.CommandLine;
using System.Globalization;
using System.Text;
using FaceAge.Core.Alignment;
using FaceAge.Core.Detection;
using FaceAge.Core.Estimation;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Core.Verification;
using FaceAge.Training.Evaluation;
using FaceAge.Training.Precision;
using FaceAge.Training.Verification;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage bench verify`: how well each embedding tells people apart. Genuine pairs: photos of one FG-NET subject
/// taken years apart (the hard cross-age case) and frames of one single-person video; impostor pairs: any two faces of
/// different people (other subjects, other clips, UTKFace strangers). Per embedding, raw and centred cosine: ROC area,
/// equal error rate, true-accept rate at 1 % and 0.1 % false accepts, the ROC at ten false-accept rates (JSON), FG-NET
/// by age gap. Writes the calibration of the chosen embedding (threshold at --far false accepts, logistic P(same),
/// centre) for `faceage compare`.
/// </summary>
public static class VerifyBenchCommand
{
    private static readonly double[] RocPoints = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5];
    private const string VideoPairs = "videos (vs other clips and strangers)";
    private static readonly (string Name, double Low, double High)[] AgeGaps =
        [("< 5 years", 0, 5), ("5–15 years", 5, 15), ("> 15 years", 15, double.MaxValue)];

    /// <summary>Raw cosine, then cosine around the centre of other faces.</summary>
    private static readonly bool[] CentredOrNot = [false, true];

    /// <summary>The pairs each figure is measured on: FG-NET alone (cross-age), the videos' (with other clips and strangers), all.</summary>
    private static readonly (string Name, Func<VerificationFace, VerificationFace, bool> Use)[] PairSets =
    [
        ("FG-NET (cross-age)", (a, b) => a.Set == "fgnet" && b.Set == "fgnet"),
        (VideoPairs, (a, b) => (a.Set == "videos" || b.Set == "videos") && a.Set != "fgnet" && b.Set != "fgnet"),
        ("all", (_, _) => true),
        // Adults' faces only: the pairs of a recognition network's usual job (children's faces change within a few years).
        (NoChildren, (a, b) => !IsFgnetChild(a) && !IsFgnetChild(b)),
    ];

    private const string NoChildren = "all without FG-NET's children (under 18)";

    private static bool IsFgnetChild(VerificationFace face) => face.Set == "fgnet" && face.Age is < 18;

    public static Command Create()
    {
        var options = new Options();
        var command = new Command("verify",
            "Measure face verification (same person or not) per embedding: ROC, EER, TAR at 1 % / 0.1 % FAR, by age gap.");
        options.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() => Run(options.Read(parse))));
        return command;
    }

    /// <param name="Subjects">Label CSV with path, age, subject (FG-NET).</param>
    /// <param name="Strangers">Label CSV of face chips of other people: one half strangers, the other the centre.</param>
    /// <param name="Count">Chips taken from each half of <paramref name="Strangers"/>.</param>
    /// <param name="Choose">The embedding key whose calibration is written; null = the best TAR at 1 % FAR.</param>
    private sealed record VerifyBenchArguments(
        string ModelsDirectory, string Subjects, string[] Videos, string Strangers, int Count, double Fps, string[] Embeddings, string? Choose,
        string? CalibrationFile, string ReentryEmbedding, string JsonFile, int Seed, string Landmarks, double Far);

    private sealed class Options
    {
        private readonly Option<string> _subjects = new("--subjects") { Description = "Label CSV with path,age,subject (FG-NET).", Required = true };

        private readonly Option<string[]> _videos = new("--videos")
        {
            Description = "Videos that each show exactly one person, a different one per video.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };

        private readonly Option<string> _strangers = new("--strangers")
        {
            Description = "Label CSV of face chips of other people (utkface-dev): one half are strangers, the other half gives the centre.",
            Required = true,
        };

        private readonly Option<int> _count = new("--count") { Description = "Chips taken from each half of --strangers.", DefaultValueFactory = _ => 300 };
        private readonly Option<double> _fps = CommonOptions.VideoFps(1);

        private readonly Option<string[]> _embeddings = new("--embeddings")
        {
            Description = $"Embeddings to compare ({string.Join(", ", FaceEmbedders.Names)}).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [.. FaceEmbedders.Names],
        };

        private readonly Option<string?> _choose = new("--choose")
        {
            Description = "Embedding (name, or name+centred) whose calibration is written; "
                + "default: the best true-accept rate at 1 % false accepts over all pairs.",
        };

        private readonly Option<string?> _calibration = new("--calibration")
        {
            Description = "Write the chosen embedding's calibration JSON here (e.g. models/heads/verification.json).",
        };

        private readonly Option<string> _reentryEmbedding = new("--reentry-embedding")
        {
            Description = "The worker's re-entry embedding (raw cosine): the threshold at 0.1 % false accepts is reported for Fusion:ReentrySimilarity.",
            DefaultValueFactory = _ => "faceres-deep-int8",
        };

        private readonly Option<string?> _models = CommonOptions.ModelsFolder();
        private readonly Option<string> _json = CommonOptions.JsonResults("verify-bench.json");
        private readonly Option<int> _seed = new("--seed") { DefaultValueFactory = _ => 7, Description = "Seed for the chips taken." };

        private readonly Option<double> _far = new("--far")
        {
            Description = "False-accept rate over all pairs at which the written calibration's threshold is set (default 0.001: one in a thousand).",
            DefaultValueFactory = _ => 0.001,
        };

        private readonly Option<string> _landmarks = new("--landmarks")
        {
            Description = $"Landmark finder whose points align the faces ({string.Join(", ", FaceLandmarkers.Names)}).",
            DefaultValueFactory = _ => FaceLandmarkers.Default,
        };

        public void AddTo(Command command)
        {
            Option[] all = [_subjects, _videos, _strangers, _count, _fps, _embeddings, _choose, _calibration, _reentryEmbedding, _models, _json, _seed,
                _landmarks, _far];
            foreach (var o in all) command.Options.Add(o);
        }

        public VerifyBenchArguments Read(ParseResult parse) => parse.GetValue(_far) is > 0 and < 1 and var far ? new(
            ModelDirectory.Locate(parse.GetValue(_models)), parse.GetValue(_subjects)!, parse.GetValue(_videos)!, parse.GetValue(_strangers)!,
            parse.GetValue(_count), parse.GetValue(_fps), parse.GetValue(_embeddings)!, parse.GetValue(_choose), parse.GetValue(_calibration),
            parse.GetValue(_reentryEmbedding)!, parse.GetValue(_json)!, parse.GetValue(_seed), parse.GetValue(_landmarks)!, far)
            : throw new ArgumentException($"--far must lie between 0 and 1, got {parse.GetValue(_far)}.");
    }

    /// <summary>The embedding whose calibration is written; <paramref name="Key"/> is its name, with "+centred" for centred cosine.</summary>
    private sealed record Chosen(string Key, double Tar, float[]? Centre, IFaceEmbedder Embedder);

    /// <summary>One way of comparing faces: an embedding, raw or centred cosine, and its cost per face.</summary>
    private sealed record Comparison(IFaceEmbedder Embedder, bool Centred, float[]? Centre, double MsPerFace)
    {
        public string Key => Centred ? $"{Embedder.Name}+centred" : Embedder.Name;

        public double Similarity(VerificationFace a, VerificationFace b)
            => FaceSimilarity.Cosine(a.Embeddings[Embedder.Name], b.Embeddings[Embedder.Name], Centre);
    }

    /// <summary>What the bench measured: JSON rows, the two tables, each ROC curve (by key and pair set) and calibration (by key), the choice.</summary>
    private sealed class Scoreboard
    {
        public List<Dictionary<string, object?>> Rows { get; } = [];

        public StringBuilder Table { get; } = new("| embedding | cosine | pairs | genuine / impostor | ROC area | EER | TAR @ FAR 1 % | TAR @ FAR 0.1 % "
            + "| threshold @ FAR 1 % | ms/face |\n|---|---|---|---|---|---|---|---|---|---|\n");

        public StringBuilder GapTable { get; } = new($"| embedding | cosine | {string.Join(" | ", AgeGaps.Select(g => $"TAR @ 1 % FAR, gap {g.Name}"))} |\n"
            + $"|---|---|{string.Concat(AgeGaps.Select(_ => "---|"))}\n");

        public Dictionary<string, RocCurve> Curves { get; } = [];
        public Dictionary<string, (double Slope, double Intercept)> Calibrations { get; } = [];
        public Chosen? Best { get; set; }
    }

    private static int Run(VerifyBenchArguments arguments)
    {
        var modelsDir = arguments.ModelsDirectory;
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        var embedders = arguments.Embeddings.Select(n => FaceEmbedders.Create(n, modelsDir, sessions)).ToList();
        try
        {
            using var detector = DetectorRegistry.Create(new DetectorOptions(), modelsDir, sessions);
            using var landmarks = FaceLandmarkers.Create(arguments.Landmarks, modelsDir, sessions);
            var (faces, centreFaces) = EmbedFaces(arguments, new VerificationFaces(detector, landmarks, embedders),
                new VerificationFaces(detector, landmarks, embedders));
            var all = faces.Faces;
            var board = new Scoreboard();
            foreach (var e in embedders)
            {
                double ms = faces.EmbedTime[e.Name].TotalMilliseconds / Math.Max(1, all.Count + centreFaces.Faces.Count);
                var centre = Mean(centreFaces.Faces.Select(f => f.Embeddings[e.Name]).ToList());
                foreach (var centred in CentredOrNot)
                    foreach (var (setName, use) in PairSets)
                        Score(new Comparison(e, centred, centred ? centre : null, ms), setName, use, all, arguments.Choose, board);
            }
            Console.WriteLine(board.Table.ToString());
            Console.WriteLine(board.GapTable.ToString());
            ReportReentry(arguments.ReentryEmbedding, board);
            if (board.Best is { } chosen && arguments.CalibrationFile is { } file) WriteCalibration(file, chosen, board, all.Count, arguments);
            JsonResultsFile.Write(arguments.JsonFile, new { machine = MachineDescription.Current(), faces = all.Count, results = board.Rows });
            return 0;
        }
        finally
        {
            foreach (var e in embedders) e.Dispose();
        }
    }

    /// <summary>
    /// The faces compared (FG-NET subjects, the videos' frames, half of the strangers) and, from the other half of the
    /// strangers, the faces whose mean embedding is the centre.
    /// </summary>
    private static (VerificationFaces Faces, VerificationFaces CentreFaces) EmbedFaces(
        VerifyBenchArguments arguments, VerificationFaces faces, VerificationFaces centreFaces)
    {
        Console.Error.WriteLine("verify: embedding faces …");
        faces.AddSubjects(arguments.Subjects);
        foreach (var v in arguments.Videos) faces.AddSinglePersonVideo(v, arguments.Fps);
        var (chips, _) = LabelCsvReader.Read(arguments.Strangers);
        var random = new Random(arguments.Seed);
        int n = arguments.Count;
        faces.AddStrangers(chips.Where(c => HoldoutSplit.IsHoldout(c.Path)).OrderBy(_ => random.Next()).Take(n).Select(c => c.Path), "strangers");
        centreFaces.AddStrangers(chips.Where(c => !HoldoutSplit.IsHoldout(c.Path)).OrderBy(_ => random.Next()).Take(n).Select(c => c.Path), "centre");
        var all = faces.Faces;
        var sets = all.GroupBy(f => f.Set).Select(g => $"{g.Key} {g.Count()} of {g.Select(f => f.Identity).Distinct().Count()} people");
        Console.Error.WriteLine($"verify: landmarks ({faces.Landmarker}) {faces.LandmarkTime.TotalMilliseconds / Math.Max(1, all.Count):F2} ms per face");
        Console.Error.WriteLine($"verify: {all.Count} faces ({string.Join(", ", sets)}), {faces.Missed} without a face, {faces.WithLandmarks} with landmarks; "
            + $"centre from {centreFaces.Faces.Count} other chips");
        return (faces, centreFaces);
    }

    /// <summary>
    /// One comparison on one set of pairs: its ROC figures (a table row and a JSON row), by age gap on FG-NET, and on all
    /// pairs the logistic calibration and the choice of the embedding.
    /// </summary>
    private static void Score(Comparison comparison, string setName, Func<VerificationFace, VerificationFace, bool> use, List<VerificationFace> all,
        string? choose, Scoreboard board)
    {
        var (genuine, impostor, gaps) = PairSimilarities(comparison, use, all);
        if (genuine.Count == 0 || impostor.Count == 0) return;
        var roc = new RocCurve(genuine, impostor);
        var (eer, _) = roc.EqualErrorRate();
        board.Curves[$"{comparison.Key}|{setName}"] = roc;
        double t1 = roc.ThresholdAt(0.01);
        var (name, cosine, ms) = (comparison.Embedder.Name, comparison.Centred ? "centred" : "raw", comparison.MsPerFace);
        var row = new Dictionary<string, object?>
        {
            ["embedding"] = name, ["centred"] = comparison.Centred, ["pairs"] = setName, ["genuine"] = roc.Genuine, ["impostor"] = roc.Impostor,
            ["rocArea"] = roc.AreaUnderCurve(), ["equalErrorRate"] = eer, ["tarAtFar1"] = roc.TrueAcceptRateAt(0.01),
            ["tarAtFar01"] = roc.TrueAcceptRateAt(0.001), ["thresholdAtFar1"] = t1, ["thresholdAtFar01"] = roc.ThresholdAt(0.001), ["msPerFace"] = ms,
            ["roc"] = RocPoints.Select(far => new { far, threshold = roc.ThresholdAt(far), tar = roc.TrueAcceptRateAt(far) }).ToList(),
        };
        board.Table.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {cosine} | {setName} | {roc.Genuine} / {roc.Impostor} | {roc.AreaUnderCurve():0.000} "
            + $"| {eer:P1} | {roc.TrueAcceptRateAt(0.01):P1} | {roc.TrueAcceptRateAt(0.001):P1} | {t1:0.000} | {ms:0.0} |");
        if (setName.StartsWith("FG-NET", StringComparison.Ordinal))
        {
            var byGap = gaps.Select(g => g.Count == 0 ? (double?)null : (double)g.Count(s => s >= t1) / g.Count).ToList();
            row["tarAtFar1ByAgeGap"] = AgeGaps.Select((g, k) => new { gap = g.Name, pairs = gaps[k].Count, tar = byGap[k] }).ToList();
            board.GapTable.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {cosine} | {string.Join(" | ", byGap.Select((v, k) => v is { } t ? $"{t:P1} ({gaps[k].Count})" : "–"))} |");
        }
        if (setName == "all")
        {
            var (slope, intercept) = SimilarityCalibration.Fit(genuine, impostor);
            board.Calibrations[comparison.Key] = (slope, intercept);
            row["calibration"] = new { slope, intercept };
            double tar = roc.TrueAcceptRateAt(0.01);
            if (board.Best is null || tar > board.Best.Tar) board.Best = new Chosen(comparison.Key, tar, comparison.Centre, comparison.Embedder);
            if (choose == comparison.Key) board.Best = new Chosen(comparison.Key, double.PositiveInfinity, comparison.Centre, comparison.Embedder);
        }
        board.Rows.Add(row);
    }

    /// <summary>The similarity of every pair the set uses: same person (also by age gap) or not.</summary>
    private static (List<double> Genuine, List<double> Impostor, List<double>[] Gaps) PairSimilarities(
        Comparison comparison, Func<VerificationFace, VerificationFace, bool> use, List<VerificationFace> all)
    {
        var genuine = new List<double>();
        var impostor = new List<double>();
        var gaps = AgeGaps.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < all.Count; i++)
            for (int j = i + 1; j < all.Count; j++)
            {
                if (!use(all[i], all[j])) continue;
                double s = comparison.Similarity(all[i], all[j]);
                if (all[i].Identity != all[j].Identity) { impostor.Add(s); continue; }
                genuine.Add(s);
                if (all[i].Age is { } x && all[j].Age is { } y)
                    for (int g = 0; g < AgeGaps.Length; g++)
                        if (Math.Abs(x - y) >= AgeGaps[g].Low && Math.Abs(x - y) < AgeGaps[g].High) gaps[g].Add(s);
            }
        return (genuine, impostor, gaps);
    }

    /// <summary>The worker's re-entry compares its own descriptors (raw cosine): a threshold that merges few different people.</summary>
    private static void ReportReentry(string reentry, Scoreboard board)
    {
        if (!board.Curves.TryGetValue($"{reentry}|all", out var allPairs) || !board.Curves.TryGetValue($"{reentry}|{VideoPairs}", out var videoPairs))
            return;
        foreach (double far in ReentryFalseAccepts)
        {
            double t = allPairs.ThresholdAt(far);
            Console.WriteLine($"re-entry ({reentry}, raw cosine): threshold {t:0.000} gives FAR {allPairs.FalseAcceptRate(t):P3} over all {allPairs.Impostor} "
                + $"impostor pairs and {videoPairs.FalseAcceptRate(t):P3} over the video ones, TAR {videoPairs.TrueAcceptRate(t):P1} on same-clip pairs, "
                + $"{allPairs.TrueAcceptRate(t):P1} on all genuine pairs");
            board.Rows.Add(new Dictionary<string, object?>
            {
                ["reentry"] = reentry, ["threshold"] = t, ["farAll"] = allPairs.FalseAcceptRate(t), ["farVideos"] = videoPairs.FalseAcceptRate(t),
                ["tarVideos"] = videoPairs.TrueAcceptRate(t), ["tarAll"] = allPairs.TrueAcceptRate(t),
            });
        }
        // The similarity 99.9 % of same-clip pairs reach: below it, a track's sample is likely another face (an identity switch).
        double low = -1, high = 1;
        for (int i = 0; i < 40; i++)
        {
            double mid = (low + high) / 2;
            if (videoPairs.TrueAcceptRate(mid) >= 0.999) low = mid;
            else high = mid;
        }
        Console.WriteLine($"re-entry ({reentry}, raw cosine): 99.9 % of same-clip pairs reach {low:0.000} (identity-switch threshold)");
        board.Rows.Add(new Dictionary<string, object?> { ["reentry"] = reentry, ["sameClipAt999"] = low });
    }

    private static readonly double[] ReentryFalseAccepts = [0.001, 0.0001];

    /// <summary>The chosen embedding's calibration for `faceage compare`: the threshold at --far false accepts on all pairs.</summary>
    private static void WriteCalibration(string file, Chosen chosen, Scoreboard board, int faces, VerifyBenchArguments arguments)
    {
        var cal = board.Calibrations[chosen.Key];
        var roc = board.Curves[$"{chosen.Key}|all"];
        double threshold = roc.ThresholdAt(arguments.Far);
        var written = new VerificationCalibration
        {
            Embedding = chosen.Embedder.Name,
            Landmarks = arguments.Landmarks,
            Threshold = Math.Round(threshold, 4),
            FalseAcceptRate = Math.Round(roc.FalseAcceptRate(threshold), 4),
            TrueAcceptRate = Math.Round(roc.TrueAcceptRate(threshold), 4),
            Slope = cal.Slope,
            Intercept = cal.Intercept,
            Centre = chosen.Centre,
            MeasuredOn = $"{faces} faces: {roc.Genuine} genuine and {roc.Impostor} impostor pairs (faceage bench verify, seed {arguments.Seed})",
        };
        written.Save(file);
        Console.Error.WriteLine($"verify: {chosen.Key} calibration written to {file}: threshold {written.Threshold} "
            + $"(FAR {written.FalseAcceptRate:P2}, TAR {written.TrueAcceptRate:P1})");
    }

    private static float[] Mean(IReadOnlyList<float[]> vectors)
    {
        var mean = new float[vectors[0].Length];
        foreach (var v in vectors)
            for (int k = 0; k < mean.Length; k++) mean[k] += v[k] / vectors.Count;
        return mean;
    }
}
