using FaceAge.Core.Alignment;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceAge.Core.Verification;

/// <summary>
/// A face-recognition network fed 112×112 faces aligned by <see cref="FaceAlignment"/> (on the five-point template when
/// the face has landmarks, else the detection box squared), its pixels as <paramref name="pixels"/> says; one run per
/// batch of faces. The output is read as one vector per face, whatever trailing 1×1 dimensions it has.
/// </summary>
public sealed class AlignedFaceEmbedder(string name, ModelSession session, PixelNormalization pixels) : IFaceEmbedder
{
    private const int Size = FaceAlignment.Size;
    private readonly string _input = session.InputMetadata.Keys.First();

    public string Name { get; } = name;

    public IReadOnlyList<float[]> Embed(Mat bgr, IReadOnlyList<FaceDetection> faces) => Embed(faces.Select(f => (bgr, f)).ToList());

    /// <summary>One embedding per face, each of its own image (the worker's crops), in one run.</summary>
    public IReadOnlyList<float[]> Embed(IReadOnlyList<(Mat Image, FaceDetection Face)> faces)
    {
        if (faces.Count == 0) return [];
        int[] shape = pixels.Layout == TensorLayout.Nchw ? [faces.Count, 3, Size, Size] : [faces.Count, Size, Size, 3];
        var tensor = new DenseTensor<float>(shape);
        for (int i = 0; i < faces.Count; i++)
        {
            using var crop = FaceAlignment.Warp(faces[i].Image, faces[i].Face);
            pixels.Write(crop, tensor.Buffer.Span.Slice(i * Size * Size * 3, Size * Size * 3));
        }
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(_input, tensor)]);
        var values = results[0].AsTensor<float>().ToArray();
        int dim = values.Length / faces.Count;
        return Enumerable.Range(0, faces.Count).Select(i => values.AsSpan(i * dim, dim).ToArray()).ToList();
    }

    public void Dispose() => session.Dispose();
}
