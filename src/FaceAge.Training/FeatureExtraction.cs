using FaceAge.Core.ModelFiles;
using System.Security.Cryptography;
using System.Text;
using FaceAge.Core.Detection;
using FaceAge.Core.Estimation;
using FaceAge.Training.Evaluation;
using FaceAge.Core.Imaging;
using FaceAge.Core.Analysis;
using OpenCvSharp;

namespace FaceAge.Training;

/// <summary>
/// Backbone outputs of labelled aligned face images (each image is the face, cropped with a view factor as in
/// `faceage eval`), the crop and its mirror, batched, through a <see cref="FeatureCache{T}"/>: an image already
/// seen with the same model file, outputs and view is not run again.
/// </summary>
/// <param name="compute">The vectors of a batch of crops: result[i][v] for crop i, view v (crop, mirror).</param>
/// <param name="what">What <paramref name="compute"/> gives (a layout name), part of the cache key.</param>
public sealed class FeatureExtraction<T>(Func<IReadOnlyList<Mat>, T[][][]> compute, string what, string modelFile, float view, int batchSize = 8)
    where T : unmanaged
{
    /// <summary>Cache identity: the model file's bytes, what is computed and the crop view.</summary>
    public string CacheKey { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{ModelIntegrity.Sha256Of(modelFile)}|{what}|view={view.ToString(System.Globalization.CultureInfo.InvariantCulture)}|views=crop+mirror")));

    /// <summary>
    /// Vectors of every face with an age label, in order; unreadable images are reported in <paramref name="errors"/> and left out.
    /// </summary>
    public List<(LabeledFace Face, T[][] Views)> Run(IReadOnlyList<LabeledFace> faces, FeatureCache<T> cache, List<string> errors,
        Action<int>? progress = null, CancellationToken cancel = default)
    {
        var labelled = faces.Where(f => f.Age is not null).ToList();
        var hashes = new string?[labelled.Count];
        Parallel.For(0, labelled.Count, i =>
        {
            try { hashes[i] = ModelIntegrity.Sha256Of(labelled[i].Path); }
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
            var vectors = compute(ready.Select(k => crops[k]!).ToList());
            for (int r = 0; r < ready.Count; r++) cache.Add(hashes[chunk[ready[r]]]!, vectors[r]);
            foreach (var c in crops) c?.Dispose();
            done += chunk.Count;
            progress?.Invoke(done);
        }
        var result = new List<(LabeledFace, T[][])>(labelled.Count);
        for (int i = 0; i < labelled.Count; i++)
            if (hashes[i] is { } hash && cache.TryGet(hash, out var views))
                result.Add((labelled[i], views));
        return result;
    }
}

/// <summary>The extractions `faceage train` uses.</summary>
public static class FeatureExtraction
{
    /// <summary>Head features (<see cref="BackboneFeatures"/>) from the backbone's outputs.</summary>
    public static FeatureExtraction<float> Head(FaceResEstimator estimator, string modelFile, float view, int batchSize = 8)
        => new(crops => estimator.Features(crops, mirrored: true), BackboneFeatures.Layout, modelFile, view, batchSize);

    /// <summary>
    /// The last block's cached input and convolution output (<see cref="LastBlockAdapter.ViewLength"/> halves per view), from a
    /// backbone built with those two extra outputs; <paramref name="modelFile"/> is the stock file whose hash keys the cache.
    /// </summary>
    public static FeatureExtraction<Half> LastBlock(FaceResEstimator tapped, string modelFile, float view, int batchSize = 8)
        => new(crops =>
        {
            var outputs = tapped.Outputs(crops, mirrored: true, [LastBlockAdapter.InputTap + ":0", LastBlockAdapter.ConvTap + ":0"]);
            var result = new Half[crops.Count][][];
            for (int i = 0; i < crops.Count; i++)
                result[i] = [LastBlockAdapter.Pack(outputs[0][i][0], outputs[1][i][0]), LastBlockAdapter.Pack(outputs[0][i][1], outputs[1][i][1])];
            return result;
        }, "faceres-deep:lastblock:x+z:half", modelFile, view, batchSize);
}
