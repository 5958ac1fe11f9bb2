using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;

namespace FaceAge.Core.Estimation;

/// <summary>
/// Every face-attribute model FaceAge can run, in one place (docs/accuracy.md measures each as an estimator and as a
/// feature source). Pixels follow each model's origin (checked against the alternatives on utkface-dev, fairface-dev
/// and fgnet-dev: e.g. SSR-Net wants raw BGR as its authors fed it, not Human's RGB); the zoom, relative to the
/// analyzer's crop, was swept on the same three sets.
/// </summary>
public static class FaceModelRegistry
{
    private static readonly PixelNormalization BgrImageNet = new(Rgb: false, [103.939f, 116.779f, 123.68f], 1f, TensorLayout.Nhwc);
    private static readonly PixelNormalization Rgb255 = new(Rgb: true, [0f, 0f, 0f], 1f, TensorLayout.Nhwc);
    private static readonly PixelNormalization Rgb01 = new(Rgb: true, [0f, 0f, 0f], 1f / 255, TensorLayout.Nhwc);
    private static readonly PixelNormalization Bgr255 = new(Rgb: false, [0f, 0f, 0f], 1f, TensorLayout.Nhwc);

    private const string P = "StatefulPartitionedCall/model_1/";
    // GEAR's age classes: <20, 21-25, 26-30, 31-40, 41-50, 51-60, >60, read at these ages (Human's choice).
    private static readonly double[] GearAgeCentres = [15, 23, 28, 35.5, 45.5, 55.5, 65];

    /// <summary>faceres-deep (stock, from npm), an age/gender network the estimator runs (<see cref="Networks"/>).</summary>
    public static readonly FaceModelDefinition FaceResDeep = HseFaceRes("faceres-deep", "faceres-deep.onnx", 224, BgrImageNet,
        "HSE multi-output MobileNet (faceres-deep): 100 age bins, P(male), 1024-d descriptor; the analyzer's own model")
        with { LayoutName = "faceres-deep:" + BackboneFeatures.LayoutParts };

    /// <summary>
    /// FaceAge's own age/gender network: faceres-deep's graph trained whole on fairface-train, utkface-dev and fgnet-dev at
    /// 128 px by tools/training/train-network.sh (models/networks/README.md). Same pixels and outputs as faceres-deep; its
    /// descriptor is its own, so heads and face checks trained on faceres-deep's features do not apply to it.
    /// </summary>
    public static readonly FaceModelDefinition FaceAgeNet = HseFaceRes("faceage-net", "networks/faceage-net-int8.onnx", 128, BgrImageNet,
        "FaceAge's age/gender network (faceres-deep's graph trained on FairFace, UTKFace and FG-NET at 128 px)")
        with { LayoutName = "faceage-net:" + BackboneFeatures.LayoutParts };

    /// <summary>
    /// The networks <see cref="AgeGenderEstimator"/> runs: each gives 100 age bins (ages 1–100), P(male) and a 1024-d
    /// descriptor from BGR pixels minus the ImageNet means. A file names its network in its metadata
    /// (<see cref="NetworkKey"/>); a file without that name is faceres-deep or a fine-tuned copy of it.
    /// </summary>
    public static readonly IReadOnlyList<FaceModelDefinition> Networks = [FaceResDeep, FaceAgeNet];

    /// <summary>ONNX metadata naming the network a file holds (written by tools/training/finetune.py --network).</summary>
    public const string NetworkKey = "faceage.network";

    /// <summary>
    /// The network a session runs: the one its metadata names, at the file's own input size; faceres-deep otherwise
    /// (a stock file, or one fine-tuned before files named their network). An unknown name is an error naming the file.
    /// </summary>
    public static FaceModelDefinition NetworkOf(ModelSession session, string file)
    {
        var network = session.ModelMetadata.CustomMetadataMap.TryGetValue(NetworkKey, out var name)
            ? Networks.FirstOrDefault(n => n.Name == name)
                ?? throw new InvalidDataException($"{file} holds the network '{name}', which this build does not know (known: "
                    + $"{string.Join(", ", Networks.Select(n => n.Name))}).")
            : FaceResDeep;
        int size = session.InputMetadata.Values.Single().Dimensions is [_, > 0 and var h, _, _] ? h : network.InputSize;
        return size == network.InputSize ? network : network with { InputSize = size };
    }

    public static readonly IReadOnlyList<FaceModelDefinition> All =
    [
        FaceResDeep,
        FaceAgeNet,
        HseFaceRes("faceres", "faceres.onnx", 224, BgrImageNet, "HSE faceres (human-models' default description model)"),
        new("gear", "gear.onnx", 198, Rgb01, Grayscale: false, Zoom: 1.2f,
            [(P + "age_output/Softmax:0", 7), (P + "gender_output/Softmax:0", 2), (P + "race_output/Softmax:0", 5), (P + "global_max_pooling2d_1/Max:0", 192)],
            o => new OwnEstimate(Expected(o[0], GearAgeCentres), o[1][0]),
            "GEAR predictor: 7 age classes, gender, race, 192 pooled features"),
        new("gender-cnn", "gender-cnn.onnx", 64, new(Rgb: false, [127.5f], 1f / 127.5f, TensorLayout.Nhwc), Grayscale: true, Zoom: 0.7f,
            [(P + "predictions/Softmax:0", 2), (P + "add_4/add#mean:0", 128)],
            o => new OwnEstimate(null, o[0][1]),
            "oarriaga mini-Xception gender CNN (IMDB): grey 64×64"),
        new("ssrnet-age", "ssrnet-age.onnx", 64, Bgr255, Grayscale: false, Zoom: 0.7f,
            [("Identity:0", 1)], o => new OwnEstimate(o[0][0], null), "SSR-Net age: 64×64"),
        new("ssrnet-gender", "ssrnet-gender.onnx", 64, Bgr255, Grayscale: false, Zoom: 0.7f,
            [("Identity:0", 1)], o => new OwnEstimate(null, o[0][0]), "SSR-Net gender (IMDB): 64×64, score near 1 = male"),
        new("faceapi-age-gender", "faceapi-age-gender.onnx", 112, Rgb255, Grayscale: false, Zoom: 1.2f,
            [("age", 1), ("gender", 2), ("features", 512)], o => new OwnEstimate(o[0][0], o[1][0]),
            "face-api AgeGenderNet (TinyXception): age, gender, 512 features"),
        new("mobileface", "mobileface.onnx", 112, Rgb255, Grayscale: false, Zoom: 1.2f,
            [("batchnorm0/add_1:0", 256)], _ => new OwnEstimate(null, null), "MobileFace face-recognition embedding (256)"),
        new("mobilefacenet", "mobilefacenet.onnx", 112, Rgb255, Grayscale: false, Zoom: 1.2f,
            [("embeddings:0", 192)], _ => new OwnEstimate(null, null), "MobileFaceNet face-recognition embedding (192)"),
    ];

    public static FaceModelDefinition? Find(string name) => All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));


    public static FaceModelDefinition Require(string name) => Find(name)
        ?? throw new ArgumentException($"Unknown face model '{name}' (known: {string.Join(", ", All.Select(m => m.Name))}).");

    /// <summary>The HSE multi-output layout: descriptor, 100 age bins, P(male), in that order (<see cref="BackboneFeatures"/>).</summary>
    private static FaceModelDefinition HseFaceRes(string name, string file, int inputSize, PixelNormalization pixels, string description)
        => new(name, file, inputSize, pixels, Grayscale: false, Zoom: 1f,
            [("global_pooling/Mean:0", 1024), ("age_pred/Softmax:0", 100), ("gender_pred/Sigmoid:0", 1)],
            o =>
            {
                var distribution = new AgeDistribution(o[1], firstAge: 1);
                return new OwnEstimate(distribution.Mean, o[2][0], distribution);
            }, description);

    private static double Expected(float[] p, double[] centres)
    {
        double sum = 0, total = 0;
        for (int i = 0; i < p.Length; i++) { sum += p[i] * centres[i]; total += p[i]; }
        return sum / total;
    }
}
