using System.Security.Cryptography;
using System.Text;
using FaceAge.Core.Detection;
using FaceAge.Core.Estimation;
using FaceAge.Core.Evaluation;
using FaceAge.Core.Imaging;
using OpenCvSharp;

namespace FaceAge.Core.Training;

/// <summary>
/// Backbone features of labelled aligned face images (each image is the face, cropped with a view factor
/// as in `faceage eval`), the crop and its mirror, batched, through a <see cref="FeatureCache"/>: an image
/// already seen with the same model file and view is not run again.
/// </summary>
public sealed class FeatureExtraction(FaceResEstimator estimator, string modelFile, float view, int batchSize = 8)
{
    /// <summary>Cache identity: the model file's bytes, the feature layout and the crop view.</summary>
    public string CacheKey { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{FeatureCache.HashOf(modelFile)}|{BackboneFeatures.Layout}|view={view.ToString(System.Globalization.CultureInfo.InvariantCulture)}|views=crop+mirror")));

    /// <summary>
    /// Features of every face with an age label; unreadable images are reported in <paramref name="errors"/> and left out.
    /// </summary>
    public List<(LabeledFace Face, HeadSample Sample)> Run(IReadOnlyList<LabeledFace> faces, FeatureCache cache, List<string> errors,
        Action<int>? progress = null, CancellationToken cancel = default)
    {
        if (cache.Dimension != BackboneFeatures.Length) throw new ArgumentException($"The cache holds {cache.Dimension}-value vectors, not {BackboneFeatures.Length}.");
        var labelled = faces.Where(f => f.Age is not null).ToList();
        var hashes = new string?[labelled.Count];
        Parallel.For(0, labelled.Count, i =>
        {
            try { hashes[i] = FeatureCache.HashOf(labelled[i].Path); }
            catch (IOException e) { lock (errors) errors.Add($"{labelled[i].Path}: {e.Message}"); }
        });
        var missing = Enumerable.Range(0, labelled.Count).Where(i => hashes[i] is not null && !cache.TryGet(hashes[i]!, out _)).ToList();
        int done = labelled.Count - missing.Count;
        progress?.Invoke(done);
        var cropper = new FaceCropper((view - 1) / 2, alignByEyes: false);
        for (int start = 0; start < missing.Count; start += batchSize)
        {
            cancel.ThrowIfCancellationRequested();
            var chunk = missing.Skip(start).Take(batchSize).ToList();
            var crops = new Mat?[chunk.Count];
            Parallel.For(0, chunk.Count, k =>
            {
                try
                {
                    using var image = ImageDecoder.DecodeFile(labelled[chunk[k]].Path);
                    crops[k] = cropper.Crop(image, new FaceDetection(new BoxF(0, 0, image.Width, image.Height), 1f), FaceResEstimator.InputSize);
                }
                catch (ImageDecodeException e) { lock (errors) errors.Add(e.Message); }
            });
            var ready = Enumerable.Range(0, chunk.Count).Where(k => crops[k] is not null).ToList();
            var features = estimator.Features(ready.Select(k => crops[k]!).ToList(), mirrored: true);
            for (int r = 0; r < ready.Count; r++) cache.Add(hashes[chunk[ready[r]]]!, features[r]);
            foreach (var c in crops) c?.Dispose();
            done += chunk.Count;
            progress?.Invoke(done);
        }
        var samples = new List<(LabeledFace, HeadSample)>(labelled.Count);
        for (int i = 0; i < labelled.Count; i++)
            if (hashes[i] is { } hash && cache.TryGet(hash, out var views))
                samples.Add((labelled[i], new HeadSample(views, labelled[i].Age!.Value, labelled[i].Gender)));
        return samples;
    }
}
