using FaceAge.Core.Analysis;
using FaceAge.Core.Estimation;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Training;
using FaceAge.Models.Setup;
using FaceAge.Testing;
using OpenCvSharp;

namespace FaceAge.Training.Tests;

/// <summary>The real faceres-deep, rebuilt from npm: the tapped copy for the cache and the export of a fine-tuned block.</summary>
public class LastBlockModelTests
{
    private static readonly string[] Taps = [LastBlockAdapter.InputTap + ":0", LastBlockAdapter.ConvTap + ":0"];

    /// <summary>Two 224² crops of real faces (the first sample photo, whole and its centre).</summary>
    private static List<Mat> Crops()
    {
        using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf(SamplePhotos.FaceCounts.Keys.First()));
        var whole = new Mat();
        Cv2.Resize(image, whole, new Size(FaceResEstimator.InputSize, FaceResEstimator.InputSize), 0, 0, InterpolationFlags.Area);
        using var centre = new Mat(image, new Rect(image.Width / 4, image.Height / 4, image.Width / 2, image.Height / 2));
        var zoomed = new Mat();
        Cv2.Resize(centre, zoomed, new Size(FaceResEstimator.InputSize, FaceResEstimator.InputSize), 0, 0, InterpolationFlags.Area);
        return [whole, zoomed];
    }

    private static Half[] CachedView(float[][][][] outputs, int crop, int view) => LastBlockAdapter.Pack(outputs[0][crop][view], outputs[1][crop][view]);

    private static void AssertClose(float[] expected, float[] actual, double descriptorTolerance, double outputTolerance)
    {
        for (int k = 0; k < BackboneFeatures.DescriptorLength; k++) Assert.True(Math.Abs(expected[k] - actual[k]) <= descriptorTolerance, $"descriptor[{k}]: {expected[k]} vs {actual[k]}");
        for (int k = BackboneFeatures.DescriptorLength; k < BackboneFeatures.Length; k++) Assert.True(Math.Abs(expected[k] - actual[k]) <= outputTolerance, $"feature {k}: {expected[k]} vs {actual[k]}");
    }

    [Fact]
    public void An_untouched_adapter_on_the_cached_activations_gives_the_stock_backbones_features()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-lastblock").FullName;
        var model = new LastBlockModel(new ModelSetup(RepoPaths.Models));
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var stock = new FaceResEstimator(sessions.Create(RepoPaths.Model("faceres-deep.onnx")));
        using var tapped = new FaceResEstimator(sessions.Create(model.WriteTapped(dir, RepoPaths.Model("faceres-deep.onnx"))));
        var crops = Crops();
        var expected = stock.Features(crops, mirrored: true);
        var outputs = tapped.Outputs(crops, mirrored: true, Taps);
        var adapter = new LastBlockAdapter(4, model.Stock);
        adapter.Initialize(new Random(1));
        var features = new float[BackboneFeatures.Length];
        for (int i = 0; i < crops.Count; i++)
            for (int v = 0; v < 2; v++)
            {
                adapter.Forward(CachedView(outputs, i, v), new LastBlockAdapter.Scratch(4), features);
                // The cache keeps half precision; the rest is the same arithmetic.
                AssertClose(expected[i][v], features, 0.01, 0.003);
            }
        foreach (var c in crops) c.Dispose();
    }

    [Fact]
    public void The_exported_backbone_computes_what_the_trained_adapter_computes_and_a_head_brings_it_along()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-lastblock").FullName;
        var model = new LastBlockModel(new ModelSetup(RepoPaths.Models));
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var tapped = new FaceResEstimator(sessions.Create(model.WriteTapped(dir, RepoPaths.Model("faceres-deep.onnx"))));
        var crops = Crops();
        var outputs = tapped.Outputs(crops, mirrored: false, Taps);

        // An adapter moved well away from the identity, as training would.
        var r = new Random(7);
        var adapter = new LastBlockAdapter(4, model.Stock);
        adapter.Initialize(r);
        for (int i = 0; i < adapter.Bt.Length; i++) adapter.Bt[i] = (float)(r.NextDouble() - 0.5) * 0.2f;
        for (int i = 0; i < LastBlockAdapter.Channels; i++) { adapter.Gain[i] = 0.8f + 0.4f * (float)r.NextDouble(); adapter.Shift[i] = (float)(r.NextDouble() - 0.5) * 0.4f; }
        var headFile = Path.Combine(dir, "tuned.onnx");
        var backboneFile = Path.Combine(dir, "tuned" + Core.ModelFiles.ModelIntegrity.TunedBackboneSuffix + ".onnx");
        model.WriteTuned(adapter, backboneFile, new Dictionary<string, string>());

        using var tuned = new FaceResEstimator(sessions.Create(backboneFile));
        var exported = tuned.Features(crops, mirrored: false);
        using var stock = new FaceResEstimator(sessions.Create(RepoPaths.Model("faceres-deep.onnx")));
        var original = stock.Features(crops, mirrored: false);
        var features = new float[BackboneFeatures.Length];
        for (int i = 0; i < crops.Count; i++)
        {
            adapter.Forward(CachedView(outputs, i, 0), new LastBlockAdapter.Scratch(4), features);
            AssertClose(features, exported[i][0], 0.01, 0.003);
            // ...and it is not the stock model any more.
            Assert.True(Enumerable.Range(0, BackboneFeatures.DescriptorLength).Max(k => Math.Abs(original[i][0][k] - exported[i][0][k])) > 0.05);
        }

        // A head that names the backbone makes the analyzer use it in place of the configured model.
        int d = BackboneFeatures.Length;
        var net = new HeadNetwork(d, 0, new float[d], Enumerable.Repeat(1f, d).ToArray());
        HeadExport.Write(net, headFile, new Dictionary<string, string> { [TrainedHead.TunedBackboneKey] = Path.GetFileName(backboneFile) });
        using var analyzer = FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, AgeGenderHead = headFile, FlipAugmentation = false });
        var result = analyzer.Estimator.Estimate([crops[0]])[0];
        var descriptor = result.Descriptor;
        for (int k = 0; k < BackboneFeatures.DescriptorLength; k += 64) Assert.Equal(exported[0][0][k], descriptor[k], 3);

        File.Delete(backboneFile);
        var e = Assert.Throws<FileNotFoundException>(() => FaceAnalyzer.Create(new AnalyzerOptions { ModelsDirectory = RepoPaths.Models, AgeGenderHead = headFile, FlipAugmentation = false }));
        Assert.Contains(backboneFile, e.Message);
        foreach (var c in crops) c.Dispose();
    }
}
