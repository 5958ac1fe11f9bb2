using System.CommandLine;
using System.Text;
using System.Text.Json;
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
/// equal error rate, true-accept rate at 1 % and 0.1 % false accepts, the ROC at ten false-accept rates (JSON), FG-NET by age gap. Writes the calibration of the
/// chosen embedding (threshold at 1 % false accepts, logistic P(same), centre) for `faceage compare`.
/// </summary>
public static class VerifyBenchCommand
{
    private static readonly double[] RocPoints = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5];
    private const string VideoPairs = "videos (vs other clips and strangers)";
    private static readonly (string Name, double Low, double High)[] AgeGaps = [("< 5 years", 0, 5), ("5–15 years", 5, 15), ("> 15 years", 15, double.MaxValue)];

    public static Command Create()
    {
        var subjects = new Option<string>("--subjects") { Description = "Label CSV with path,age,subject (FG-NET).", Required = true };
        var videos = new Option<string[]>("--videos") { Description = "Videos that each show exactly one person, a different one per video.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };
        var strangers = new Option<string>("--strangers") { Description = "Label CSV of face chips of other people (utkface-dev): one half are strangers, the other half gives the centre.", Required = true };
        var count = new Option<int>("--count") { Description = "Chips taken from each half of --strangers.", DefaultValueFactory = _ => 300 };
        var fps = new Option<double>("--fps") { Description = "Frames per second taken from each video.", DefaultValueFactory = _ => 1 };
        var embeddings = new Option<string[]>("--embeddings") { Description = $"Embeddings to compare ({string.Join(", ", FaceEmbedders.Names)}).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [.. FaceEmbedders.Names] };
        var choose = new Option<string?>("--choose") { Description = "Embedding (name, or name+centred) whose calibration is written; default: the best true-accept rate at 1 % false accepts over all pairs." };
        var calibration = new Option<string?>("--calibration") { Description = "Write the chosen embedding's calibration JSON here (e.g. models/heads/verification.json)." };
        var reentryEmbedding = new Option<string>("--reentry-embedding") { Description = "The worker's re-entry embedding (raw cosine): the threshold at 0.1 % false accepts is reported for Fusion:ReentrySimilarity.", DefaultValueFactory = _ => "faceres-deep-int8" };
        var models = new Option<string?>("--models") { Description = "Models folder." };
        var json = new Option<string>("--json") { Description = "JSON results file.", DefaultValueFactory = _ => "verify-bench.json" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 7, Description = "Seed for the chips taken." };

        var command = new Command("verify", "Measure face verification (same person or not) per embedding: ROC, EER, TAR at 1 % / 0.1 % FAR, by age gap.");
        foreach (var o in new Option[] { subjects, videos, strangers, count, fps, embeddings, choose, calibration, reentryEmbedding, models, json, seed }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var modelsDir = ModelDirectory.Locate(parse.GetValue(models));
            var sessions = new OnnxSessionFactory(new InferenceOptions());
            var embedders = parse.GetValue(embeddings)!.Select(n => FaceEmbedders.Create(n, modelsDir, sessions)).ToList();
            try
            {
                using var detector = DetectorRegistry.Create(new DetectorOptions(), modelsDir, sessions);
                using var landmarks = CompareCommand.Landmarks(modelsDir, sessions);
                var faces = new VerificationFaces(detector, landmarks, embedders);
                Console.Error.WriteLine("verify: embedding faces …");
                faces.AddSubjects(parse.GetValue(subjects)!);
                foreach (var v in parse.GetValue(videos)!) faces.AddSinglePersonVideo(v, parse.GetValue(fps));
                var (chips, _) = LabelCsvReader.Read(parse.GetValue(strangers)!);
                var random = new Random(parse.GetValue(seed));
                int n = parse.GetValue(count);
                faces.AddStrangers(chips.Where(c => HoldoutSplit.IsHoldout(c.Path)).OrderBy(_ => random.Next()).Take(n).Select(c => c.Path), "strangers");
                var centreFaces = new VerificationFaces(detector, landmarks, embedders);
                centreFaces.AddStrangers(chips.Where(c => !HoldoutSplit.IsHoldout(c.Path)).OrderBy(_ => random.Next()).Take(n).Select(c => c.Path), "centre");
                var all = faces.Faces;
                Console.Error.WriteLine($"verify: {all.Count} faces ({string.Join(", ", all.GroupBy(f => f.Set).Select(g => $"{g.Key} {g.Count()} of {g.Select(f => f.Identity).Distinct().Count()} people"))}), {faces.Missed} without a face, {faces.WithLandmarks} with landmarks; centre from {centreFaces.Faces.Count} other chips");

                var rows = new List<Dictionary<string, object?>>();
                var table = new StringBuilder("| embedding | cosine | pairs | genuine / impostor | ROC area | EER | TAR @ FAR 1 % | TAR @ FAR 0.1 % | threshold @ FAR 1 % | ms/face |\n|---|---|---|---|---|---|---|---|---|---|\n");
                var gapTable = new StringBuilder($"| embedding | cosine | {string.Join(" | ", AgeGaps.Select(g => $"TAR @ 1 % FAR, gap {g.Name}"))} |\n|---|---|{string.Concat(AgeGaps.Select(_ => "---|"))}\n");
                (string Key, double Tar, float[]? Centre, IFaceEmbedder Embedder)? best = null;
                var curves = new Dictionary<string, RocCurve>();
                var calibrations = new Dictionary<string, (double Slope, double Intercept)>();
                foreach (var e in embedders)
                {
                    double ms = faces.EmbedTime[e.Name].TotalMilliseconds / Math.Max(1, all.Count + centreFaces.Faces.Count) + 0;
                    var centre = Mean(centreFaces.Faces.Select(f => f.Embeddings[e.Name]).ToList());
                    foreach (var centred in new[] { false, true })
                    {
                        var c = centred ? centre : null;
                        string key = centred ? $"{e.Name}+centred" : e.Name;
                        double Sim(VerificationFace a, VerificationFace b) => FaceSimilarity.Cosine(a.Embeddings[e.Name], b.Embeddings[e.Name], c);
                        var sets = new (string Name, Func<VerificationFace, VerificationFace, bool> Use)[]
                        {
                            ("FG-NET (cross-age)", (a, b) => a.Set == "fgnet" && b.Set == "fgnet"),
                            (VideoPairs, (a, b) => (a.Set == "videos" || b.Set == "videos") && a.Set != "fgnet" && b.Set != "fgnet"),
                            ("all", (_, _) => true),
                        };
                        foreach (var (setName, use) in sets)
                        {
                            var genuine = new List<double>();
                            var impostor = new List<double>();
                            var gaps = AgeGaps.Select(_ => new List<double>()).ToArray();
                            for (int i = 0; i < all.Count; i++)
                                for (int j = i + 1; j < all.Count; j++)
                                {
                                    if (!use(all[i], all[j])) continue;
                                    double s = Sim(all[i], all[j]);
                                    if (all[i].Identity != all[j].Identity) { impostor.Add(s); continue; }
                                    genuine.Add(s);
                                    if (all[i].Age is { } x && all[j].Age is { } y)
                                        for (int g = 0; g < AgeGaps.Length; g++)
                                            if (Math.Abs(x - y) >= AgeGaps[g].Low && Math.Abs(x - y) < AgeGaps[g].High) gaps[g].Add(s);
                                }
                            if (genuine.Count == 0 || impostor.Count == 0) continue;
                            var roc = new RocCurve(genuine, impostor);
                            var (eer, _) = roc.EqualErrorRate();
                            curves[$"{key}|{setName}"] = roc;
                            double t1 = roc.ThresholdAt(0.01);
                            var row = new Dictionary<string, object?>
                            {
                                ["embedding"] = e.Name, ["centred"] = centred, ["pairs"] = setName, ["genuine"] = roc.Genuine, ["impostor"] = roc.Impostor,
                                ["rocArea"] = roc.AreaUnderCurve(), ["equalErrorRate"] = eer, ["tarAtFar1"] = roc.TrueAcceptRateAt(0.01), ["tarAtFar01"] = roc.TrueAcceptRateAt(0.001),
                                ["thresholdAtFar1"] = t1, ["thresholdAtFar01"] = roc.ThresholdAt(0.001), ["msPerFace"] = ms,
                                ["roc"] = RocPoints.Select(far => new { far, threshold = roc.ThresholdAt(far), tar = roc.TrueAcceptRateAt(far) }).ToList(),
                            };
                            table.AppendLine($"| {e.Name} | {(centred ? "centred" : "raw")} | {setName} | {roc.Genuine} / {roc.Impostor} | {roc.AreaUnderCurve():0.000} | {eer:P1} | {roc.TrueAcceptRateAt(0.01):P1} | {roc.TrueAcceptRateAt(0.001):P1} | {t1:0.000} | {ms:0.0} |");
                            if (setName.StartsWith("FG-NET"))
                            {
                                var byGap = gaps.Select(g => g.Count == 0 ? (double?)null : (double)g.Count(s => s >= t1) / g.Count).ToList();
                                row["tarAtFar1ByAgeGap"] = AgeGaps.Select((g, k) => new { gap = g.Name, pairs = gaps[k].Count, tar = byGap[k] }).ToList();
                                gapTable.AppendLine($"| {e.Name} | {(centred ? "centred" : "raw")} | {string.Join(" | ", byGap.Select((v, k) => v is { } t ? $"{t:P1} ({gaps[k].Count})" : "–"))} |");
                            }
                            if (setName == "all")
                            {
                                var (slope, intercept) = SimilarityCalibration.Fit(genuine, impostor);
                                calibrations[key] = (slope, intercept);
                                row["calibration"] = new { slope, intercept };
                                double tar = roc.TrueAcceptRateAt(0.01);
                                if (best is null || tar > best.Value.Tar) best = (key, tar, c, e);
                                if (parse.GetValue(choose) == key) best = (key, double.PositiveInfinity, c, e);
                            }
                            rows.Add(row);
                        }
                    }
                }
                Console.WriteLine(table.ToString());
                Console.WriteLine(gapTable.ToString());
                // The worker's re-entry compares its own descriptors (raw cosine): a threshold that merges few different people.
                string reentry = parse.GetValue(reentryEmbedding)!;
                if (curves.TryGetValue($"{reentry}|all", out var allPairs) && curves.TryGetValue($"{reentry}|{VideoPairs}", out var videoPairs))
                {
                    double t = allPairs.ThresholdAt(0.001);
                    Console.WriteLine($"re-entry ({reentry}, raw cosine): threshold {t:0.000} gives FAR {allPairs.FalseAcceptRate(t):P3} over all {allPairs.Impostor} impostor pairs " +
                        $"and {videoPairs.FalseAcceptRate(t):P3} over the video ones, TAR {videoPairs.TrueAcceptRate(t):P1} on same-clip pairs, {allPairs.TrueAcceptRate(t):P1} on all genuine pairs");
                    rows.Add(new Dictionary<string, object?> { ["reentry"] = reentry, ["threshold"] = t, ["farAll"] = allPairs.FalseAcceptRate(t), ["farVideos"] = videoPairs.FalseAcceptRate(t), ["tarVideos"] = videoPairs.TrueAcceptRate(t), ["tarAll"] = allPairs.TrueAcceptRate(t) });
                }
                if (best is { } chosen && parse.GetValue(calibration) is { } file)
                {
                    var cal = calibrations[chosen.Key];
                    var roc = curves[$"{chosen.Key}|all"];
                    double threshold = roc.ThresholdAt(0.01);
                    var written = new VerificationCalibration
                    {
                        Embedding = chosen.Embedder.Name,
                        Threshold = Math.Round(threshold, 4),
                        FalseAcceptRate = Math.Round(roc.FalseAcceptRate(threshold), 4),
                        TrueAcceptRate = Math.Round(roc.TrueAcceptRate(threshold), 4),
                        Slope = cal.Slope,
                        Intercept = cal.Intercept,
                        Centre = chosen.Centre,
                        MeasuredOn = $"{all.Count} faces: {roc.Genuine} genuine and {roc.Impostor} impostor pairs (faceage bench verify, seed {parse.GetValue(seed)})",
                    };
                    written.Save(file);
                    Console.Error.WriteLine($"verify: {chosen.Key} calibration written to {file}: threshold {written.Threshold} (FAR {written.FalseAcceptRate:P2}, TAR {written.TrueAcceptRate:P1})");
                }
                File.WriteAllText(parse.GetValue(json)!, JsonSerializer.Serialize(new { machine = MachineDescription.Current(), faces = all.Count, results = rows }, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            finally
            {
                foreach (var e in embedders) e.Dispose();
            }
        }));
        return command;
    }

    private static float[] Mean(IReadOnlyList<float[]> vectors)
    {
        var mean = new float[vectors[0].Length];
        foreach (var v in vectors)
            for (int k = 0; k < mean.Length; k++) mean[k] += v[k] / vectors.Count;
        return mean;
    }
}
