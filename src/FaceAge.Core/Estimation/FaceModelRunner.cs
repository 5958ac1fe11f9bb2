using System.Buffers;
using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceAge.Core.Estimation;

/// <summary>
/// Runs one face model (<see cref="FaceModelDefinition"/>) on the analyzer's face crops: each crop is cut to the
/// model's zoom and size (and its mirror, when asked), one batched session run, and the outputs read back per crop
/// and view. Thread-safe.
/// </summary>
public sealed class FaceModelRunner(FaceModelDefinition definition, ModelSession session) : IDisposable
{
    private readonly string _input = session.InputMetadata.Keys.Single();

    public FaceModelDefinition Definition { get; } = definition;

    /// <summary>The side the model takes: its file's fixed input size (a fine-tuned model may be smaller), else the definition's.</summary>
    public int InputSize { get; } = session.InputMetadata.Values.Single().Dimensions is [_, > 0 and var h, _, _] ? h : definition.InputSize;

    /// <summary>result[i][v]: the feature vector (the outputs concatenated) of crop i, view v (0 = crop, 1 = mirror).</summary>
    public float[][][] Features(IReadOnlyList<Mat> crops, bool mirrored)
    {
        int views = mirrored ? 2 : 1, n = crops.Count, size = InputSize, channels = Definition.Grayscale ? 1 : 3;
        var result = new float[n][][];
        if (n == 0) return result;
        int per = size * size * channels, batch = n * views;
        var buffer = ArrayPool<float>.Shared.Rent(per * batch);
        try
        {
            using var input = new Mat();
            using var flipped = new Mat();
            using var gray = new Mat();
            for (int i = 0; i < n; i++)
            {
                Cut(crops[i], input);
                for (int v = 0; v < views; v++)
                {
                    var image = input;
                    if (v == 1) { Cv2.Flip(input, flipped, FlipMode.Y); image = flipped; }
                    var target = buffer.AsSpan((v * n + i) * per, per);
                    if (Definition.Grayscale) WriteGray(image, gray, target);
                    else Definition.Pixels.Write(image, target);
                }
            }
            var tensor = new DenseTensor<float>(new Memory<float>(buffer, 0, per * batch), [batch, size, size, channels]);
            var names = Definition.Outputs.Select(o => o.Name).ToList();
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(_input, tensor)], names);
            var outputs = names.Select(name => results.First(r => r.Name == name).AsTensor<float>()).ToList();
            for (int i = 0; i < n; i++)
            {
                result[i] = new float[views][];
                for (int v = 0; v < views; v++)
                {
                    var features = result[i][v] = new float[Definition.FeatureLength];
                    int offset = 0, row = v * n + i;
                    for (int o = 0; o < outputs.Count; o++)
                    {
                        int length = Definition.Outputs[o].Length;
                        var values = ((DenseTensor<float>)outputs[o]).Buffer.Span;
                        if (values.Length != batch * length)
                            throw new InvalidDataException($"{session.Name}: output '{names[o]}' has {values.Length / batch} values per face, expected "
                                + $"{length}.");
                        values.Slice(row * length, length).CopyTo(features.AsSpan(offset));
                        offset += length;
                    }
                }
            }
            return result;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>The model's own estimate of each crop (outputs averaged over the views), from its feature vectors.</summary>
    public IReadOnlyList<OwnEstimate> Estimate(IReadOnlyList<Mat> crops, bool mirrored)
        => Features(crops, mirrored).Select(views =>
        {
            var mean = new float[Definition.FeatureLength];
            foreach (var v in views)
                for (int k = 0; k < mean.Length; k++) mean[k] += v[k] / views.Length;
            return Own(mean);
        }).ToList();

    /// <summary>Reads the own estimate from one feature vector.</summary>
    public OwnEstimate Own(float[] features)
    {
        var parts = new List<float[]>(Definition.Outputs.Count);
        int offset = 0;
        foreach (var (_, length) in Definition.Outputs)
        {
            parts.Add(features.AsSpan(offset, length).ToArray());
            offset += length;
        }
        return Definition.Own(parts);
    }

    /// <summary>The model's view of a face crop: the centre 1/zoom of it (replicated border when zoom &lt; 1), at its input size.</summary>
    private void Cut(Mat crop, Mat destination)
    {
        int size = InputSize;
        double side = crop.Width / Definition.Zoom, scale = size / side;
        if (Math.Abs(Definition.Zoom - 1) < 1e-6 && crop.Width == size && crop.Height == size)
        {
            crop.CopyTo(destination);
            return;
        }
        if (Math.Abs(Definition.Zoom - 1) < 1e-6)
        {
            Cv2.Resize(crop, destination, new Size(size, size), 0, 0, size < crop.Width ? InterpolationFlags.Area : InterpolationFlags.Linear);
            return;
        }
        using var m = new Mat(2, 3, MatType.CV_64FC1);
        double offset = (crop.Width - side) / 2;
        m.Set(0, 0, scale); m.Set(0, 1, 0.0); m.Set(0, 2, -offset * scale);
        m.Set(1, 0, 0.0); m.Set(1, 1, scale); m.Set(1, 2, -offset * scale);
        Cv2.WarpAffine(crop, destination, m, new Size(size, size), size < side ? InterpolationFlags.Area : InterpolationFlags.Linear, BorderTypes.Replicate);
    }

    private void WriteGray(Mat bgr, Mat gray, Span<float> destination)
    {
        Cv2.CvtColor(bgr, gray, ColorConversionCodes.BGR2GRAY);
        var p = Definition.Pixels;
        int rows = gray.Rows, cols = gray.Cols;
        gray.GetArray(out byte[] pixels);
        for (int k = 0; k < rows * cols; k++) destination[k] = (pixels[k] - p.Mean[0]) * p.Scale;
    }

    public void Dispose() => session.Dispose();
}
