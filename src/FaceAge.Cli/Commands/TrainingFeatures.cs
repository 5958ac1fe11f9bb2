using System.Diagnostics;
using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Training;
using FaceAge.Training.Evaluation;

namespace FaceAge.Cli.Commands;

/// <summary>The ONNX file of each face model `faceage train` reads: --model for faceres-deep, the models folder's for the others.</summary>
internal sealed record FeatureModelFiles(string ModelsDirectory, string BackboneFile)
{
    public string Of(FaceModelDefinition model) => model == FaceModelRegistry.FaceResDeep ? BackboneFile : ModelDirectory.Require(ModelsDirectory, model.File);
}

/// <summary>One data set's features: per image used, per view (crop, mirror), every model's vector one after another.</summary>
internal sealed record DatasetFeatures(LabeledDataset Set, List<(LabeledFace Face, float[][] Views)> Features, int Misses);

/// <summary>
/// The frozen features `faceage train` learns from: those of every model of every candidate feature set, per data set,
/// through the feature cache (each image decoded once per run at most), and each model's cost per face.
/// </summary>
internal sealed class TrainingFeatures
{
    private readonly Dictionary<string, int> _offsets = [];
    private readonly bool _flip;

    private TrainingFeatures(IReadOnlyList<FaceModelDefinition> models, List<DatasetFeatures> datasets, List<string> errors,
        Dictionary<string, double> millisecondsPerFace, bool flip)
    {
        int at = 0;
        foreach (var m in models) { _offsets[m.Name] = at; at += m.FeatureLength; }
        Datasets = datasets;
        Errors = errors;
        MillisecondsPerFace = millisecondsPerFace;
        _flip = flip;
    }

    public IReadOnlyList<DatasetFeatures> Datasets { get; }

    /// <summary>Images that could not be read.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Milliseconds per face of each model (by name).</summary>
    public IReadOnlyDictionary<string, double> MillisecondsPerFace { get; }

    /// <summary>The images that have features, in the order of <see cref="SamplesOf"/>.</summary>
    public List<LabeledFace> Used => Datasets.SelectMany(p => p.Features.Select(f => f.Face)).ToList();

    /// <summary>The cost per face of a feature set: the sum of its models'.</summary>
    public double CostOf(FeatureSet set) => set.Models.Sum(m => MillisecondsPerFace[m.Name]);

    /// <summary>The samples of a feature set: its models' slices of the joined vectors, in its order (the mirror too with --flip).</summary>
    public List<HeadSample> SamplesOf(FeatureSet fs) => Datasets.SelectMany((p, d) => p.Features.Select(f => new HeadSample(
        (_flip ? f.Views : [f.Views[0]]).Select(v => fs.Models.SelectMany(m => v.AsSpan(_offsets[m.Name], m.FeatureLength).ToArray()).ToArray()).ToArray(),
        f.Face.Age, f.Face.Gender, f.Face.AgeGroup, d, f.Face.Subject))).ToList();

    public static TrainingFeatures Extract(TrainArguments arguments, IReadOnlyList<LabeledDataset> datasets, FaceAnalyzer analyzer,
        OnnxSessionFactory sessions, FeatureModelFiles files, CancellationToken cancel)
    {
        var models = arguments.FeatureSets.SelectMany(s => s.Models).DistinctBy(m => m.Name).ToList();
        var runners = models.ToDictionary(m => m.Name, m => new FaceModelRunner(m, sessions.Create(files.Of(m))));
        var errors = new List<string>();
        var perSet = new List<DatasetFeatures>();
        foreach (var set in datasets)
        {
            var extraction = new FeatureExtraction(FaceCropSource.For(set.Mode, analyzer, arguments.View),
                models.Select(m => (runners[m.Name], files.Of(m))).ToList(), arguments.CacheFolder, arguments.Analysis.MaxBatchSize);
            Console.Error.WriteLine($"train: {set.Name} ({set.Mode.ToString().ToLowerInvariant()}), {set.Faces.Count} images, "
                + $"features of {string.Join(", ", models.Select(m => m.Name))}");
            var (vectors, misses) = extraction.Run(set.Faces, errors, new ConsoleProgress("features " + set.Name, set.Faces.Count).Report, cancel);
            perSet.Add(new DatasetFeatures(set, vectors, misses));
        }
        PrintErrors(errors);
        var costs = TimePerFace(runners.Values.ToList(), datasets, analyzer, arguments.View);
        foreach (var r in runners.Values) r.Dispose();
        return new TrainingFeatures(models, perSet, errors, costs, arguments.Analysis.FlipAugmentation);
    }

    /// <summary>Milliseconds per face of each model (one view, batches of 8 crops, this machine), timed on up to 64 crops of the first data set.</summary>
    private static Dictionary<string, double> TimePerFace(IReadOnlyList<FaceModelRunner> runners, IReadOnlyList<LabeledDataset> datasets,
        FaceAnalyzer analyzer, float view)
    {
        var set = datasets[0];
        var source = FaceCropSource.For(set.Mode, analyzer, view);
        var (crops, _, _) = source.CutFiles(set.Faces.Take(64).Select(f => f.Path).ToList(), []);
        var ready = crops.Where(c => c is not null).Select(c => c!).ToList();
        var result = new Dictionary<string, double>();
        foreach (var runner in runners)
        {
            if (ready.Count == 0) { result[runner.Definition.Name] = double.NaN; continue; }
            runner.Features(ready.Take(8).ToList(), mirrored: false); // warm-up
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < ready.Count; i += 8) runner.Features(ready.Skip(i).Take(8).ToList(), mirrored: false);
            result[runner.Definition.Name] = clock.Elapsed.TotalMilliseconds / ready.Count;
        }
        foreach (var c in ready) c.Dispose();
        return result;
    }

    private static void PrintErrors(List<string> errors)
    {
        foreach (var e in errors.Take(20)) Console.Error.WriteLine($"error: {e}");
        if (errors.Count > 20) Console.Error.WriteLine($"error: … and {errors.Count - 20} more unreadable images");
    }
}
