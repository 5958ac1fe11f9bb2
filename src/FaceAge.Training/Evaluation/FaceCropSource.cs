using System.Globalization;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using OpenCvSharp;

namespace FaceAge.Training.Evaluation;

/// <summary>How a labelled image becomes a face crop for evaluation and training.</summary>
public enum CropMode
{
    /// <summary>The image is a face chip already (UTKFace): the crop is the image, centred, side = view × image side.</summary>
    Aligned,
    /// <summary>The largest face the analyzer's detector finds, cut as the analyzer cuts it (its margin, aligned by the
    /// eyes when it can): the product's path.</summary>
    Detect,
}

/// <summary>
/// Turns labelled images into the analyzer's face crops (<see cref="FaceCropper.Side"/>² BGR) in one of two
/// ways (<see cref="CropMode"/>); <see cref="Key"/> names the way, so features cached from one never stand in for another.
/// </summary>
public sealed class FaceCropSource
{
    private readonly FaceAnalyzer? _analyzer;
    private readonly FaceCropper _cropper;

    private FaceCropSource(CropMode mode, FaceCropper cropper, FaceAnalyzer? analyzer, string key)
    {
        Mode = mode;
        _cropper = cropper;
        _analyzer = analyzer;
        Key = key;
    }

    public CropMode Mode { get; }

    /// <summary>Names how crops are made (mode, view or detector settings and margin): part of every feature cache key.</summary>
    public string Key { get; }

    /// <summary>Face chips: the whole image centred, side = <paramref name="view"/> × image side (replicated border beyond it).</summary>
    public static FaceCropSource Aligned(float view)
        => new(CropMode.Aligned, new FaceCropper((view - 1) / 2, alignByEyes: false), null,
            string.Create(CultureInfo.InvariantCulture, $"aligned:view={view}"));

    /// <summary>The largest face <paramref name="analyzer"/> detects, cut with its margin.</summary>
    public static FaceCropSource Detected(FaceAnalyzer analyzer)
    {
        var o = analyzer.Options;
        var d = o.Detector;
        return new(CropMode.Detect, new FaceCropper(o.CropMargin, o.AlignByLandmarks), analyzer, string.Create(CultureInfo.InvariantCulture,
            $"detect:{d.Kind}:{Path.GetFileName(d.ModelPath)}:score={d.ScoreThreshold}:tiles={d.Tiles}:min={d.MinFaceSize}:"
            + $"margin={o.CropMargin}:align={o.AlignByLandmarks}"));
    }

    public static FaceCropSource For(CropMode mode, FaceAnalyzer analyzer, float view) => mode == CropMode.Aligned ? Aligned(view) : Detected(analyzer);

    private FaceDetection? Face(Mat image) => _analyzer is null
        ? new FaceDetection(new BoxF(0, 0, image.Width, image.Height), 1f)
        : _analyzer.Detect(image).OrderByDescending(d => d.Box.Area).FirstOrDefault();

    /// <summary>
    /// Crops of a batch of image files, decoded and cut in parallel: result[i] is the crop (and where it lies in the
    /// image), or null with <c>missed[i]</c> true when no face was found, or null with an error added when the file cannot be read.
    /// </summary>
    public (Mat?[] Crops, bool[] Missed, FaceCropper.Square?[] Squares) CutFiles(IReadOnlyList<string> paths, List<string> errors)
    {
        var crops = new Mat?[paths.Count];
        var missed = new bool[paths.Count];
        var squares = new FaceCropper.Square?[paths.Count];
        Parallel.For(0, paths.Count, i =>
        {
            try
            {
                using var image = ImageDecoder.DecodeFile(paths[i]);
                if (Face(image) is { } face)
                {
                    squares[i] = _cropper.Locate(face);
                    crops[i] = _cropper.Crop(image, face, FaceCropper.Side);
                }
                missed[i] = crops[i] is null;
            }
            catch (ImageDecodeException e)
            {
                lock (errors) errors.Add(e.Message);
            }
        });
        return (crops, missed, squares);
    }
}
