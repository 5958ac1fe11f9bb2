using FaceAge.Core.Estimation;
using FaceAge.Models.Onnx;

namespace FaceAge.Training;

/// <summary>
/// Writes a <see cref="HeadNetwork"/> as an ONNX model with FaceAge's own ONNX writer: input "features"
/// [N, D] → standardize (Sub, Mul) → Gemm + Relu (when there is a hidden layer) → Gemm + Softmax = "age"
/// [N, 121] and Gemm + Sigmoid = "male" [N, 1]. The feature set's layout and the ± calibration go into the metadata
/// so <see cref="TrainedHead"/> runs the head on the features it was trained on and states a calibrated ±.
/// </summary>
public static class HeadExport
{
    /// <param name="features">The feature set the head reads (default: faceres-deep's own features).</param>
    /// <param name="uncertaintyScale">Calibrated ± = this × the age distribution's standard deviation.</param>
    public static OnnxModel ToOnnx(HeadNetwork net, IReadOnlyDictionary<string, string>? metadata = null, FeatureSet? features = null,
        double uncertaintyScale = 1)
    {
        features ??= new FeatureSet([FaceModelRegistry.FaceResDeep]);
        if (features.Length != net.Inputs) throw new ArgumentException($"The head reads {net.Inputs} features; the set {features.Name} gives "
            + $"{features.Length}.");
        var graph = new OnnxGraph { Name = "faceage_head" };
        graph.Inputs.Add(new OnnxValueInfo(TrainedHead.FeaturesInput, OnnxDataType.Float, [null, net.Inputs]));
        graph.Outputs.Add(new OnnxValueInfo(TrainedHead.AgeOutput, OnnxDataType.Float, [null, HeadNetwork.AgeBins]));
        graph.Outputs.Add(new OnnxValueInfo(TrainedHead.MaleOutput, OnnxDataType.Float, [null, 1]));
        graph.Initializers.Add(OnnxTensor.FromFloats("mean", [net.Inputs], net.Mean));
        graph.Initializers.Add(OnnxTensor.FromFloats("scale", [net.Inputs], net.Scale));
        graph.Nodes.Add(new OnnxNode("Sub", "centre", [TrainedHead.FeaturesInput, "mean"], ["centred"], []));
        graph.Nodes.Add(new OnnxNode("Mul", "standardize", ["centred", "scale"], ["standardized"], []));
        string width = "standardized";
        var transB = new[] { OnnxAttribute.Of("transB", 1L) };
        if (net.Hidden > 0)
        {
            graph.Initializers.Add(OnnxTensor.FromFloats("w1", [net.Hidden, net.Inputs], net.W1));
            graph.Initializers.Add(OnnxTensor.FromFloats("b1", [net.Hidden], net.B1));
            graph.Nodes.Add(new OnnxNode("Gemm", "hidden_gemm", ["standardized", "w1", "b1"], ["hidden_linear"], transB));
            graph.Nodes.Add(new OnnxNode("Relu", "hidden_relu", ["hidden_linear"], ["hidden"], []));
            width = "hidden";
        }
        graph.Initializers.Add(OnnxTensor.FromFloats("w_age", [HeadNetwork.AgeBins, net.Width], net.WAge));
        graph.Initializers.Add(OnnxTensor.FromFloats("b_age", [HeadNetwork.AgeBins], net.BAge));
        graph.Initializers.Add(OnnxTensor.FromFloats("w_male", [1, net.Width], net.WMale));
        graph.Initializers.Add(OnnxTensor.FromFloats("b_male", [1], net.BMale));
        graph.Nodes.Add(new OnnxNode("Gemm", "age_gemm", [width, "w_age", "b_age"], ["age_logits"], transB));
        graph.Nodes.Add(new OnnxNode("Softmax", "age_softmax", ["age_logits"], [TrainedHead.AgeOutput], [OnnxAttribute.Of("axis", 1L)]));
        graph.Nodes.Add(new OnnxNode("Gemm", "male_gemm", [width, "w_male", "b_male"], ["male_logit"], transB));
        graph.Nodes.Add(new OnnxNode("Sigmoid", "male_sigmoid", ["male_logit"], [TrainedHead.MaleOutput], []));
        var model = new OnnxModel { Graph = graph, DocString = $"FaceAge age/gender head on the features of {features.Name} (faceage train)." };
        model.Metadata[TrainedHead.LayoutKey] = features.Layout;
        model.Metadata[TrainedHead.UncertaintyScaleKey] = uncertaintyScale.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (metadata is not null)
            foreach (var (key, value) in metadata) model.Metadata[key] = value;
        return model;
    }

    public static void Write(HeadNetwork net, string path, IReadOnlyDictionary<string, string>? metadata = null, FeatureSet? features = null,
        double uncertaintyScale = 1)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        OnnxWriter.WriteFile(ToOnnx(net, metadata, features, uncertaintyScale), path);
    }
}
