using FaceAge.Core.Imaging;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceAge.Core.Detection;

/// <summary>Letterboxes a BGR image to a detector's input size and packs it as that detector's tensor.</summary>
internal static class NetworkInput
{
    public static (Letterbox Box, DenseTensor<float> Tensor) Prepare(Mat bgr, int width, int height, PixelNormalization pixels)
    {
        var box = Letterbox.Fit(bgr.Width, bgr.Height, width, height);
        using var input = box.Apply(bgr);
        var data = new float[3 * width * height];
        pixels.Write(input, data);
        int[] dims = pixels.Layout == TensorLayout.Nchw ? [1, 3, height, width] : [1, height, width, 3];
        return (box, new DenseTensor<float>(data, dims));
    }

    /// <summary>Input height and width of an NCHW model: fixed by the model, else configured, else the fallback.</summary>
    public static (int Width, int Height) NchwSize(int[] dims, DetectorOptions options, int fallbackWidth, int fallbackHeight)
        => (dims[3] > 0 ? dims[3] : options.InputWidth > 0 ? options.InputWidth : fallbackWidth,
            dims[2] > 0 ? dims[2] : options.InputHeight > 0 ? options.InputHeight : fallbackHeight);
}
