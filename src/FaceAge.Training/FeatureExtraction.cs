using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FaceAge.Core.Estimation;
using FaceAge.Core.ModelFiles;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training;

/// <summary>
/// The features of a <see cref="FeatureSet"/> for labelled images: each image is cut into the analyzer's face crop
/// (<see cref="FaceCropSource"/>), and every model of the set runs on the crop and its mirror, batched. Each model has
/// its own <see cref="FeatureCache{T}"/> (keyed by the model file's bytes, its layout, pixels and zoom, and how crops are
/// made), so a set that adds a model reuses the others' features, and an image is decoded only when some model lacks it.
/// </summary>
public sealed class FeatureExtraction
{
    private readonly FaceCropSource _crops;
    private readonly IReadOnlyList<(FaceModelRunner Runner, FeatureCache<float> Cache)> _models;
    private readonly int _batchSize;

    /// <param name="models">Each model of the set (in order) with the path of its ONNX file.</param>
    public FeatureExtraction(FaceCropSource crops, IReadOnlyList<(FaceModelRunner Runner, string File)> models, string cacheFolder, int batchSize = 8)
    {
        _crops = crops;
        _batchSize = batchSize;
        _models = models.Select(m => (m.Runner,
            FeatureCache.Open(cacheFolder, CacheKey(m.Runner.Definition, m.File, crops), m.Runner.Definition.FeatureLength))).ToList();
    }

    /// <summary>Cache identity of one model's features: its file's bytes, layout, pixels, zoom, and the crops.</summary>
    public static string CacheKey(FaceModelDefinition model, string file, FaceCropSource crops)
    {
        var p = model.Pixels;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{ModelIntegrity.Sha256Of(file)}|{model.Layout}|{(p.Rgb ? "rgb" : "bgr")}:{string.Join(',', p.Mean)}:{p.Scale}:"
            + $"{(model.Grayscale ? "grey" : "colour")}|zoom={model.Zoom}|{crops.Key}|views=crop+mirror");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public IEnumerable<string> CacheFiles => _models.Select(m => m.Cache.Path);

    /// <summary>
    /// Features of every face with an age or gender label, in order: per face, per view, the models' vectors one after
    /// another. Faces where no face was found are counted in Misses; unreadable images are reported in <paramref name="errors"/>.
    /// </summary>
    public (List<(LabeledFace Face, float[][] Views)> Features, int Misses) Run(IReadOnlyList<LabeledFace> faces, List<string> errors,
        Action<int>? progress = null, CancellationToken cancel = default)
    {
        var hashes = new string?[faces.Count];
        Parallel.For(0, faces.Count, i =>
        {
            try { hashes[i] = ModelIntegrity.Sha256Of(faces[i].Path); }
            catch (IOException e) { lock (errors) errors.Add($"{faces[i].Path}: {e.Message}"); }
        });
        bool Complete(int i) => _models.All(m => m.Cache.TryGet(hashes[i]!, out _));
        var missing = Enumerable.Range(0, faces.Count).Where(i => hashes[i] is not null && !Complete(i)).ToList();
        int done = faces.Count - missing.Count, misses = 0;
        progress?.Invoke(done);
        var missed = new HashSet<int>();
        for (int start = 0; start < missing.Count; start += _batchSize)
        {
            cancel.ThrowIfCancellationRequested();
            var chunk = missing.Skip(start).Take(_batchSize).ToList();
            var (crops, noFace, _) = _crops.CutFiles(chunk.Select(i => faces[i].Path).ToList(), errors);
            for (int k = 0; k < chunk.Count; k++) if (noFace[k]) missed.Add(chunk[k]);
            var ready = Enumerable.Range(0, chunk.Count).Where(k => crops[k] is not null).ToList();
            if (ready.Count > 0)
            {
                var mats = ready.Select(k => crops[k]!).ToList();
                foreach (var (runner, cache) in _models)
                {
                    var todo = Enumerable.Range(0, ready.Count).Where(r => !cache.TryGet(hashes[chunk[ready[r]]]!, out _)).ToList();
                    if (todo.Count == 0) continue;
                    var vectors = runner.Features(todo.Select(r => mats[r]).ToList(), mirrored: true);
                    for (int t = 0; t < todo.Count; t++) cache.Add(hashes[chunk[ready[todo[t]]]]!, vectors[t]);
                }
            }
            foreach (var c in crops) c?.Dispose();
            done += chunk.Count;
            progress?.Invoke(done);
        }
        misses = missed.Count;
        var result = new List<(LabeledFace, float[][])>(faces.Count);
        for (int i = 0; i < faces.Count; i++)
        {
            if (hashes[i] is not { } hash || !Complete(i)) continue;
            var parts = _models.Select(m => { m.Cache.TryGet(hash, out var v); return v; }).ToList();
            int views = parts.Min(p => p.Length);
            var joined = new float[views][];
            for (int v = 0; v < views; v++)
            {
                joined[v] = new float[parts.Sum(p => p[v].Length)];
                int offset = 0;
                foreach (var p in parts)
                {
                    p[v].CopyTo(joined[v], offset);
                    offset += p[v].Length;
                }
            }
            result.Add((faces[i], joined));
        }
        return (result, misses);
    }
}
