using FaceAge.Core.ModelFiles;
using FaceAge.Models.Onnx;
using FaceAge.Models.Setup;

namespace FaceAge.Training;

/// <summary>
/// faceres-deep rebuilt from its npm source for last-block fine-tuning: the frozen layers the adapter needs,
/// a copy of the backbone that also outputs the block's input and convolution output (for the cache), and
/// the export of a backbone with the trained update folded into the block's weights.
/// </summary>
public sealed class LastBlockModel
{
    public const string ModelName = "faceres-deep";
    private readonly ModelSetup _setup;
    private readonly float[] _kernel;

    public LastBlockModel(ModelSetup setup, CancellationToken cancel = default)
    {
        _setup = setup;
        var (_, graph) = setup.LoadSource(ModelName, cancel);
        var weights = StockLayers.WeightNames.ToDictionary(n => n, n => graph.Weights.TryGetValue(n, out var w) && w.Floats is { } f
            ? f : throw new InvalidDataException($"{ModelName}: weight '{n}' not found in the TF.js model; is this faceres-deep?"));
        Stock = StockLayers.From(weights);
        _kernel = weights[LastBlockAdapter.KernelWeight];
    }

    public StockLayers Stock { get; }

    /// <summary>
    /// Writes (if missing) the backbone with the two extra outputs the cache is made from; returns its path. The name
    /// carries the stock model file's hash, so a rebuilt stock model gets a new copy.
    /// </summary>
    public string WriteTapped(string folder, string stockModelFile, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{ModelName}-lastblock-taps-{ModelIntegrity.Sha256Of(stockModelFile)[..16]}.onnx");
        if (!File.Exists(path))
        {
            var onnx = _setup.ConvertForTraining(ModelName, [LastBlockAdapter.InputTap, LastBlockAdapter.ConvTap], cancellationToken: cancel);
            var partial = path + ".partial";
            OnnxWriter.WriteFile(onnx, partial);
            File.Move(partial, path, overwrite: true);
        }
        return path;
    }

    /// <summary>Writes the fine-tuned backbone: faceres-deep with the adapter folded into conv_pw_13's kernel and bias.</summary>
    public void WriteTuned(LastBlockAdapter adapter, string path, IReadOnlyDictionary<string, string> metadata, CancellationToken cancel = default)
    {
        var (kernel, bias) = adapter.Folded(_kernel);
        var onnx = _setup.ConvertForTraining(ModelName, editWeights: graph =>
        {
            kernel.CopyTo(graph.Weights[LastBlockAdapter.KernelWeight].Floats!, 0);
            bias.CopyTo(graph.Weights[LastBlockAdapter.BiasWeight].Floats!, 0);
        }, cancellationToken: cancel);
        foreach (var (k, v) in metadata) onnx.Metadata[k] = v;
        onnx.Metadata["faceage.fine_tuned"] = $"conv_pw_13: rank-{adapter.Rank} update, per-channel gain and shift, folded into the weights";
        OnnxWriter.WriteFile(onnx, path);
    }
}
