using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Training.Evaluation;
using OpenCvSharp;

namespace FaceAge.Training.Precision;

/// <summary>
/// The face check's training crops, cut from detections exactly as at run time (the analyzer's detector and crop):
/// faces — labelled chips pasted at 24–160 px onto face-free frames (the training half of the set), the largest
/// detection of each in-the-wild photo, the person of each single-person video frame — and non-faces — every
/// detection on a face-free frame (video frames with the face painted out, generated textures) and every
/// detection on a video frame that overlaps no face. Features are the backbone's, one view per crop.
/// </summary>
public sealed class FaceCheckData(FaceAnalyzer analyzer, IFaceDetector detector, Action<string>? log = null)
{
    private readonly List<CheckSample> _samples = [];

    public IReadOnlyList<CheckSample> Samples => _samples;

    private void Add(Mat image, IEnumerable<FaceDetection> detections, bool isFace, string group)
    {
        var crops = detections.Select(d => analyzer.Sampling.Cut(image, d)).ToList();
        try
        {
            for (int start = 0; start < crops.Count; start += 16)
            {
                var batch = crops.Skip(start).Take(16).ToList();
                var features = analyzer.Estimator.Features(batch.Select(c => c.Crop).ToList(), mirrored: false);
                _samples.AddRange(features.Select(f => new CheckSample(f[0], isFace, group)));
            }
        }
        finally
        {
            foreach (var c in crops) c.Dispose();
        }
    }

    /// <summary>Video frames: the person's face (detections on it) is a face; everything else, and everything on the painted-out frame, is not.</summary>
    public void AddVideoFrames(IEnumerable<PrecisionFrame> frames)
    {
        int before = _samples.Count;
        foreach (var frame in frames)
            using (frame)
            {
                var found = detector.Detect(frame.Image);
                if (frame.Faces.Count > 0) Add(frame.Image,
                    found.Where(d => !FaceFreeFrames.IsFalse(d, frame.Faces) && frame.Faces.Any(f => f.IntersectionOverUnion(d.Box) >= 0.3f)), true,
                    frame.Source);
                Add(frame.Image, found.Where(d => FaceFreeFrames.IsFalse(d, frame.Faces)), false, frame.Source);
            }
        log?.Invoke($"face check: {_samples.Count - before} crops from video frames");
    }

    /// <summary>Pasted faces are faces; any other detection on their (face-free) background is not.</summary>
    public void AddPastedFaces(IEnumerable<PastedScene> scenes, string group)
    {
        int before = _samples.Count;
        foreach (var scene in scenes)
        {
            var found = detector.Detect(scene.Image);
            Add(scene.Image, found.Where(d => scene.Faces.Any(f => PastedFaceScenes.Finds(d, f.Box))), true, group);
            Add(scene.Image, found.Where(d => scene.Faces.All(f => f.Box.IntersectionOverUnion(d.Box) < 0.1f)), false, group);
        }
        log?.Invoke($"face check: {_samples.Count - before} crops from pasted faces ({group})");
    }

    /// <summary>Photos of one face each (in the wild): the largest detection is the face.</summary>
    public void AddPhotos(IEnumerable<LabeledFace> photos, string group)
    {
        int before = _samples.Count;
        foreach (var photo in photos)
        {
            using var image = ImageDecoder.DecodeFile(photo.Path);
            if (detector.Detect(image).MaxBy(d => d.Box.Area) is { } face) Add(image, [face], true, group);
        }
        log?.Invoke($"face check: {_samples.Count - before} faces from {group}");
    }

    public void AddTextures(IEnumerable<PrecisionFrame> textures)
    {
        int before = _samples.Count;
        foreach (var t in textures)
            using (t) Add(t.Image, detector.Detect(t.Image), false, t.Source);
        log?.Invoke($"face check: {_samples.Count - before} non-faces from textures");
    }
}
