using FaceAge.Core.Alignment;
using FaceAge.Core.Detection;
using FaceAge.Core.Estimation;

using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace FaceAge.Core.Analysis;

/// <summary>
/// The face analysis core shared by the CLI, the worker and the training tools: detect → crop (aligned
/// when landmarks exist) → batched age/gender/descriptor inference → per-face results. Thread-safe.
/// </summary>
public sealed class FaceAnalyzer : IDisposable
{
    private readonly IFaceDetector _detector;
    private readonly AgeGenderEstimator _estimator;
    private readonly AgeGroups _groups;

    public FaceAnalyzer(IFaceDetector detector, AgeGenderEstimator estimator, AnalyzerOptions options, OnnxSessionFactory? sessions = null)
    {
        Sessions = sessions ?? new OnnxSessionFactory(options.Inference);
        Provider = Sessions.Provider;
        RunClock = Sessions.RunClock;
        _detector = detector;
        _estimator = estimator;
        Options = options;
        Sampling = new FaceSampling(options);
        _groups = new AgeGroups(options.EffectiveAgeGroups);
    }

    public AnalyzerOptions Options { get; }
    /// <summary>Where the analyzer's sessions come from: further models (the worker's recognition embedding) share its clock.</summary>
    public OnnxSessionFactory Sessions { get; }
    public string DetectorName => _detector.Name;
    public IFaceDetector Detector => _detector;
    /// <summary>The execution provider the models run on.</summary>
    public ExecutionProviderDefinition Provider { get; }
    /// <summary>CPU time inside model runs, per model file (detector and age/gender model).</summary>
    public ModelRunClock RunClock { get; }
    /// <summary>How the age/gender model was built, from its metadata (e.g. its int8 scheme); null for a plain float model.</summary>
    public string? EstimatorVariant => _estimator.Variant;
    public AgeGenderEstimator Estimator => _estimator;
    /// <summary>How faces are cut out and scored (shared with the worker's crop selection).</summary>
    public FaceSampling Sampling { get; }

    /// <summary>Builds an analyzer from options; fails with one message naming every bad key, or the missing model and the set-up command.</summary>
    public static FaceAnalyzer Create(AnalyzerOptions options, ILoggerFactory? loggers = null)
    {
        var errors = options.Validate().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
        var modelsDir = ModelDirectory.Locate(options.ModelsDirectory);
        var sessions = new OnnxSessionFactory(options.Inference, loggers?.CreateLogger<OnnxSessionFactory>());
        var detector = DetectorRegistry.Create(options.Detector, modelsDir, sessions);
        try
        {
            if (options.Landmarks.Length > 0) detector = new LandmarkedFaceDetector(detector, FaceLandmarkers.Create(options.Landmarks, modelsDir, sessions));
            return new FaceAnalyzer(detector, CreateEstimator(options, modelsDir, sessions), options, sessions);
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    /// <summary>The age/gender estimator the options describe: model, flip, calibration or trained head.</summary>
    public static AgeGenderEstimator CreateEstimator(AnalyzerOptions options, string modelsDirectory, OnnxSessionFactory sessions)
    {
        var estimatorPath = Path.IsPathRooted(options.AgeGenderModel) ? options.AgeGenderModel
            : ModelDirectory.Require(modelsDirectory, options.AgeGenderModel);
        TrainedHead? head = null;
        BackboneCheck? check = null, turnCheck = null;
        var extra = new List<FaceModelRunner>();
        try
        {
            if (options.AgeGenderHead is { Length: > 0 } headFile)
            {
                var headPath = Path.IsPathRooted(headFile) ? headFile : ModelDirectory.Require(modelsDirectory, headFile);
                head = new TrainedHead(sessions.Create(headPath), headPath);
            }
            if (options.FaceCheck is { Length: > 0 } checkFile)
            {
                var checkPath = Path.IsPathRooted(checkFile) ? checkFile : ModelDirectory.Require(modelsDirectory, checkFile);
                check = new BackboneCheck(sessions.Create(checkPath), checkPath, BackboneCheck.Face);
            }
            if (options.TurnCheck is { Length: > 0 } turnFile)
            {
                var turnPath = Path.IsPathRooted(turnFile) ? turnFile : ModelDirectory.Require(modelsDirectory, turnFile);
                turnCheck = new BackboneCheck(sessions.Create(turnPath), turnPath, BackboneCheck.Turn);
            }
            // A head trained together with a fine-tuned backbone brings that backbone along.
            if (head?.TunedBackbone is { } tuned) estimatorPath = tuned;
            // The other face models whose features the head reads (float, from the models folder).
            foreach (var model in head?.Features.Extra ?? [])
                extra.Add(new FaceModelRunner(model, sessions.Create(ModelDirectory.Require(modelsDirectory, model.File))));
            var session = sessions.Create(estimatorPath);
            try
            {
                return new AgeGenderEstimator(FaceModelRegistry.NetworkOf(session, estimatorPath), session, options.FlipAugmentation,
                    head is null ? new GenderCalibration(options.MaleDecisionThreshold) : null, head, check, extra, options.AgeUncertaintyScale,
                    turnCheck);
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
        catch
        {
            head?.Dispose();
            check?.Dispose();
            turnCheck?.Dispose();
            foreach (var m in extra) m.Dispose();
            throw;
        }
    }

    public IReadOnlyList<FaceDetection> Detect(Mat bgr) => _detector.Detect(bgr);

    /// <summary>Detects and analyses every face of a BGR image.</summary>
    public IReadOnlyList<FaceResult> Analyze(Mat bgr) => Analyze(bgr, _detector.Detect(bgr));

    /// <summary>Analyses the given detections of a BGR image, in batches of at most MaxBatchSize.</summary>
    public IReadOnlyList<FaceResult> Analyze(Mat bgr, IReadOnlyList<FaceDetection> detections)
    {
        var results = new List<FaceResult>(detections.Count);
        for (int start = 0; start < detections.Count; start += Options.MaxBatchSize)
        {
            var chunk = detections.Skip(start).Take(Options.MaxBatchSize).ToList();
            var crops = chunk.Select(d => Sampling.Cut(bgr, d)).ToList();
            try
            {
                var attributes = _estimator.Estimate(crops.Select(c => c.Crop).ToList());
                for (int i = 0; i < chunk.Count; i++)
                    results.Add(Describe(crops[i], attributes[i]));
            }
            finally
            {
                foreach (var c in crops) c.Dispose();
            }
        }
        return results;
    }

    /// <summary>Analyses an image that already is an aligned face crop (no detection), e.g. UTKFace chips.</summary>
    public FaceResult AnalyzeAlignedCrop(Mat bgr)
    {
        var crop = new Mat();
        Cv2.Resize(bgr, crop, new Size(FaceCropper.Side, FaceCropper.Side), 0, 0, InterpolationFlags.Area);
        var whole = new FaceDetection(new BoxF(0, 0, bgr.Width, bgr.Height), 1f);
        int size = Math.Max(bgr.Width, bgr.Height);
        double sharpness = Sharpness.LaplacianVariance(crop);
        using var face = new FaceCrop(whole, crop, size, sharpness, FaceQuality.Score(size, sharpness, Options.GoodFaceSize));
        return Describe(face, _estimator.Estimate([crop])[0]);
    }

    private FaceResult Describe(FaceCrop face, FaceAttributes a)
    {
        bool male = a.MaleProbability >= 0.5f;
        return new FaceResult(
            face.Detection,
            Age: Math.Round(a.Age.Mean, 1),
            AgeUncertainty: Math.Round(a.AgeUncertainty, 1),
            AgeGroup: _groups.Of(a.Age.Mean),
            Gender: male ? Gender.Male : Gender.Female,
            GenderProbability: Math.Round(male ? a.MaleProbability : 1 - a.MaleProbability, 3),
            FaceSize: face.FaceSize,
            Sharpness: Math.Round(face.Sharpness, 1),
            Quality: Math.Round(face.Quality, 3),
            FaceScore: a.FaceScore is { } f ? Math.Round(f, 3) : null,
            LikelyFace: a.FaceScore is not { } score || score >= Options.FaceCheckThreshold,
            Attributes: a);
    }

    public void Dispose()
    {
        _detector.Dispose();
        _estimator.Dispose();
    }
}
