using System.Buffers;
using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceAge.Core.Estimation;

/// <summary>
/// Runs an age/gender network of <see cref="FaceModelRegistry.Networks"/> — faceres-deep (converted from TF.js; or a
/// fine-tuned copy) or FaceAge's own — as its definition says: its input size and pixels, and its three outputs (a
/// 1024-d descriptor, 100 age bins with bin i = age i + 1, P(male)). Takes square crops of any side (the analyzer cuts
/// them <c>FaceCropper.Side</c>) and resizes them to the network's input. Optionally a trained head, a face check and the
/// other face models a head reads. A batch of crops runs in one session call. Thread-safe.
/// </summary>
public sealed class AgeGenderEstimator : IAgeGenderEstimator, IDisposable
{
    [ThreadStatic] private static Mat? _resized;
    private readonly ModelSession _session;
    private readonly string _inputName;
    private readonly GenderCalibration? _calibration;

    /// <param name="network">What the session holds (<see cref="FaceModelRegistry.NetworkOf"/>): input size, pixels, outputs.</param>
    /// <param name="flipAugmentation">Also run each crop mirrored and average the two outputs (2× compute, lower error).</param>
    /// <param name="calibration">Gender decision calibration applied to P(male); null = the model's own 0.5.</param>
    /// <param name="head">A trained head that replaces the model's own age and gender outputs (owned: disposed with the estimator).</param>
    /// <param name="faceCheck">Scores each crop for being a face at all, on the same features (owned: disposed with the estimator).</param>
    /// <param name="turnCheck">Scores each crop for a head turned away from the camera, on the same features (owned).</param>
    /// <param name="extraModels">The other face models whose features the head reads, in the head's order (owned).</param>
    /// <param name="uncertaintyScale">Without a head: calibrated ± = this × the age distribution's standard deviation.</param>
    public AgeGenderEstimator(FaceModelDefinition network, ModelSession session, bool flipAugmentation = false, GenderCalibration? calibration = null,
        TrainedHead? head = null, BackboneCheck? faceCheck = null, IReadOnlyList<FaceModelRunner>? extraModels = null, double uncertaintyScale = 1,
        BackboneCheck? turnCheck = null)
    {
        if (!FaceModelRegistry.Networks.Any(n => n.Name == network.Name))
        {
            throw new ArgumentException(
                $"{network.Name} is not an age/gender network (known: {string.Join(", ", FaceModelRegistry.Networks.Select(n => n.Name))}).");
        }
        Network = network;
        (DescriptorOutput, AgeOutput, GenderOutput) = (network.Outputs[0].Name, network.Outputs[1].Name, network.Outputs[2].Name);
        ExtraModels = extraModels ?? [];
        if (head is not null && head.Features.IncludesBackbone && network.Name != FaceModelRegistry.FaceResDeep.Name)
            throw new ArgumentException($"The head {head.Path} reads faceres-deep's features; the network {network.Name} gives its own.");
        foreach (var check in new[] { faceCheck, turnCheck })
            if (check is not null && check.Layout != network.Layout)
                throw new ArgumentException($"The {check.Kind.Name} {check.Path} was trained on the features '{check.Layout}'; the network "
                    + $"{network.Name} gives '{network.Layout}'.");
        if (!ExtraModels.Select(m => m.Definition.Name).SequenceEqual((head?.Features.Extra ?? []).Select(m => m.Name)))
            throw new ArgumentException($"The head {head?.Path} reads the features of {head?.Features.Name ?? "faceres-deep"}, but the estimator runs "
                + $"faceres-deep+{string.Join("+", ExtraModels.Select(m => m.Definition.Name))}.");
        UncertaintyScale = head?.UncertaintyScale ?? uncertaintyScale;
        FaceCheck = faceCheck;
        TurnCheck = turnCheck;
        FlipAugmentation = flipAugmentation;
        _calibration = calibration;
        _session = session;
        Head = head;
        _inputName = session.InputMetadata.Keys.Single();
        if (session.InputMetadata.Values.Single().Dimensions is [_, > 0 and var h, _, _] && h != network.InputSize)
            throw new InvalidDataException($"{network.Name} takes {network.InputSize}² crops, but its file takes {h}².");
        foreach (var output in new[] { AgeOutput, GenderOutput, DescriptorOutput })
            if (!session.OutputMetadata.ContainsKey(output))
                throw new InvalidDataException($"The {network.Name} network lacks output '{output}'.");
    }

    /// <summary>The network this estimator runs, as its definition describes it.</summary>
    public FaceModelDefinition Network { get; }

    /// <summary>The network's outputs: age bins, P(male), descriptor.</summary>
    public string AgeOutput { get; }
    public string GenderOutput { get; }
    public string DescriptorOutput { get; }

    public bool FlipAugmentation { get; }

    /// <summary>The side the network takes (224 for faceres-deep, 128 for FaceAge's network).</summary>
    public int ModelSize => Network.InputSize;

    /// <summary>The model's build variant from its ONNX metadata ("faceage.quantization"), null for a plain float model.</summary>
    public string? Variant => _session.ModelMetadata.CustomMetadataMap.TryGetValue("faceage.quantization", out var v) ? v : null;
    public TrainedHead? Head { get; }
    public BackboneCheck? FaceCheck { get; }
    public BackboneCheck? TurnCheck { get; }
    /// <summary>The other face models run for the head's features (empty without a head that needs them).</summary>
    public IReadOnlyList<FaceModelRunner> ExtraModels { get; }
    /// <summary>Calibrated ± = this × the age distribution's standard deviation.</summary>
    public double UncertaintyScale { get; }

    /// <summary>Estimates every crop (each <see cref="InputSize"/>² BGR) in one batched run.</summary>
    public IReadOnlyList<FaceAttributes> Estimate(IReadOnlyList<Mat> crops)
    {
        if (crops.Count == 0) return [];
        int views = FlipAugmentation ? 2 : 1;
        var list = new List<FaceAttributes>(crops.Count);
        RunBackbone(crops, views, (age, gender, descriptor) =>
        {
            int bins = age.Dimensions[1], dim = descriptor.Dimensions[1];
            float[]? headAge = null, headMale = null, face = null, turned = null;
            bool checks = FaceCheck is not null || TurnCheck is not null;
            if (Head is not null || checks)
            {
                // Head and checks see each view on its own (as in training); their outputs are then averaged like the model's.
                int rows = crops.Count * views, own = BackboneFeatures.Length, length = Head?.Features.Length ?? own;
                bool withBackbone = Head?.Features.IncludesBackbone ?? true;
                var extra = ExtraModels.Select(m => m.Features(crops, views == 2)).ToList();
                var features = ArrayPool<float>.Shared.Rent(rows * length);
                // The checks read faceres-deep's features alone: kept apart when the head's rows are more (or other) than those.
                var backbone = checks && (length != own || !withBackbone) ? ArrayPool<float>.Shared.Rent(rows * own) : null;
                try
                {
                    for (int row = 0; row < rows; row++)
                    {
                        var destination = features.AsSpan(row * length, length);
                        int offset = 0, crop = row % crops.Count, view = row / crops.Count;
                        if (withBackbone)
                        {
                            Features(age, gender, descriptor, row, destination[..own]);
                            offset = own;
                        }
                        foreach (var model in extra)
                        {
                            model[crop][view].CopyTo(destination[offset..]);
                            offset += model[crop][view].Length;
                        }
                        if (backbone is not null) Features(age, gender, descriptor, row, backbone.AsSpan(row * own, own));
                    }
                    if (Head is not null) (headAge, headMale) = Head.Run(features, rows);
                    if (FaceCheck is not null) face = FaceCheck.Run(backbone ?? features, rows);
                    if (TurnCheck is not null) turned = TurnCheck.Run(backbone ?? features, rows);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(features);
                    if (backbone is not null) ArrayPool<float>.Shared.Return(backbone);
                }
            }
            int outBins = headAge is null ? bins : headAge.Length / (crops.Count * views);
            for (int i = 0; i < crops.Count; i++)
            {
                // Mirrored view j = crops.Count + i; outputs are averaged over the views.
                var p = new float[outBins];
                var d = new float[dim];
                float male = 0, faceScore = 0, turnedAway = 0;
                for (int v = 0; v < views; v++)
                {
                    int row = v * crops.Count + i;
                    if (face is not null) faceScore += face[row] / views;
                    if (turned is not null) turnedAway += turned[row] / views;
                    for (int k = 0; k < outBins; k++) p[k] += (headAge is null ? age[row, k] : headAge[row * outBins + k]) / views;
                    for (int k = 0; k < dim; k++) d[k] += descriptor[row, k] / views;
                    male += (headMale is null ? gender[row, 0] : headMale[row]) / views;
                }
                var distribution = new AgeDistribution(p, firstAge: headAge is null ? 1 : TrainedHead.FirstAge);
                list.Add(new FaceAttributes(distribution, _calibration?.Apply(male) ?? male, d, face is null ? null : faceScore)
                {
                    AgeUncertainty = UncertaintyScale * distribution.StandardDeviation,
                    TurnedAway = turned is null ? null : turnedAway,
                });
            }
        });
        return list;
    }

    /// <summary>
    /// <see cref="BackboneFeatures"/> of every crop and, when <paramref name="mirrored"/>, of its mirror image:
    /// result[i][0] is crop i, result[i][1] its mirror. For training heads.
    /// </summary>
    public float[][][] Features(IReadOnlyList<Mat> crops, bool mirrored)
    {
        int views = mirrored ? 2 : 1;
        var result = new float[crops.Count][][];
        RunBackbone(crops, views, (age, gender, descriptor) =>
        {
            for (int i = 0; i < crops.Count; i++)
            {
                result[i] = new float[views][];
                for (int v = 0; v < views; v++)
                {
                    result[i][v] = new float[BackboneFeatures.Length];
                    Features(age, gender, descriptor, v * crops.Count + i, result[i][v]);
                }
            }
        });
        return result;
    }

    private static void Features(Tensor<float> age, Tensor<float> gender, Tensor<float> descriptor, int row, Span<float> destination)
    {
        for (int k = 0; k < BackboneFeatures.DescriptorLength; k++) destination[k] = descriptor[row, k];
        for (int k = 0; k < BackboneFeatures.AgeBins; k++) destination[BackboneFeatures.DescriptorLength + k] = age[row, k];
        destination[^1] = gender[row, 0];
    }

    /// <summary>
    /// The named outputs of one batched run over the crops and, when <paramref name="mirrored"/>, their mirrors:
    /// result[output][i][v] is output <paramref name="outputs"/>[output] of crop i, view v, flattened. For a model
    /// built with extra outputs (inner activations for training).
    /// </summary>
    public float[][][][] Outputs(IReadOnlyList<Mat> crops, bool mirrored, IReadOnlyList<string> outputs)
    {
        int views = mirrored ? 2 : 1;
        var result = new float[outputs.Count][][][];
        RunBackbone(crops, views, outputs, tensors =>
        {
            for (int o = 0; o < outputs.Count; o++)
            {
                var t = (DenseTensor<float>)tensors[o];
                int per = (int)(t.Length / (crops.Count * views));
                result[o] = new float[crops.Count][][];
                for (int i = 0; i < crops.Count; i++)
                {
                    result[o][i] = new float[views][];
                    for (int v = 0; v < views; v++) result[o][i][v] = t.Buffer.Span.Slice((v * crops.Count + i) * per, per).ToArray();
                }
            }
        });
        return result;
    }

    private void RunBackbone(IReadOnlyList<Mat> crops, int views, Action<Tensor<float>, Tensor<float>, Tensor<float>> read)
        => RunBackbone(crops, views, [AgeOutput, GenderOutput, DescriptorOutput], t => read(t[0], t[1], t[2]));

    /// <summary>One session run over the crops (rows 0..n-1) and, with 2 views, their mirrors (rows n..2n-1).</summary>
    private void RunBackbone(IReadOnlyList<Mat> crops, int views, IReadOnlyList<string> outputs, Action<Tensor<float>[]> read)
    {
        int size = ModelSize, per = size * size * 3, batch = crops.Count * views;
        var buffer = ArrayPool<float>.Shared.Rent(per * batch);
        try
        {
            using var mirrored = new Mat();
            for (int i = 0; i < crops.Count; i++)
            {
                var crop = crops[i];
                if (crop.Width != crop.Height) throw new ArgumentException($"Crop {i} is {crop.Width}x{crop.Height}, not square.");
                if (size != crop.Width)
                {
                    Cv2.Resize(crop, _resized ??= new Mat(), new Size(size, size), 0, 0, InterpolationFlags.Area);
                    crop = _resized;
                }
                Network.Pixels.Write(crop, buffer.AsSpan(i * per, per));
                if (views == 2)
                {
                    Cv2.Flip(crop, mirrored, FlipMode.Y);
                    Network.Pixels.Write(mirrored, buffer.AsSpan((crops.Count + i) * per, per));
                }
            }
            var memory = new Memory<float>(buffer, 0, per * batch);
            var tensor = new DenseTensor<float>(memory, [batch, size, size, 3]);
            using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, tensor)], outputs);
            read(outputs.Select(name => results.First(r => r.Name == name).AsTensor<float>()).ToArray());
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        Head?.Dispose();
        FaceCheck?.Dispose();
        TurnCheck?.Dispose();
        foreach (var m in ExtraModels) m.Dispose();
    }
}
