using FaceAge.Core.Imaging;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceAge.Core.Detection;

/// <summary>
/// Letterboxes a BGR image into a detector's input and packs it as that detector's tensor, in buffers kept per
/// thread and input size and reused from frame to frame (a frame is 5 detector runs with tiles: allocating a canvas
/// and a tensor for each was most of the detector's own cost). Detectors are shared by cameras, so each thread has its own.
/// </summary>
internal sealed class NetworkInput(int width, int height, PixelNormalization pixels) : IDisposable
{
    private sealed class Buffers(int width, int height, TensorLayout layout) : IDisposable
    {
        public readonly Mat Canvas = new(height, width, MatType.CV_8UC3, Scalar.Black);
        public readonly DenseTensor<float> Tensor = new(new float[3 * width * height], layout == TensorLayout.Nchw ? [1, 3, height, width]
            : [1, height, width, 3]);

        public void Dispose() => Canvas.Dispose();
    }

    // A detector with an input of any size sees a few sizes only (one per camera aspect and its tiles).
    private readonly ThreadLocal<Dictionary<(int, int), Buffers>> _buffers = new(() => [], trackAllValues: true);

    public int Width { get; } = width;
    public int Height { get; } = height;

    /// <summary>The input tensor for <paramref name="image"/> (valid until this thread's next call) and how to map back to image pixels.</summary>
    public (Letterbox Box, DenseTensor<float> Tensor) Prepare(DetectorImage image)
        => Prepare(image, Letterbox.Fit(image.Width, image.Height, Width, Height));

    /// <summary>The input tensor of <paramref name="box"/>'s size for <paramref name="image"/> (valid until this thread's next call).</summary>
    public (Letterbox Box, DenseTensor<float> Tensor) Prepare(DetectorImage image, Letterbox box)
    {
        var sizes = _buffers.Value!;
        if (!sizes.TryGetValue((box.Width, box.Height), out var b)) sizes[(box.Width, box.Height)] = b = new Buffers(box.Width, box.Height, pixels.Layout);
        box.ApplyInto(image, b.Canvas);
        pixels.Write(b.Canvas, b.Tensor.Buffer.Span);
        return (box, b.Tensor);
    }

    /// <summary>Input height and width of an NCHW model: fixed by the model, else configured, else the fallback.</summary>
    public static (int Width, int Height) NchwSize(int[] dims, DetectorOptions options, int fallbackWidth, int fallbackHeight)
        => (dims[3] > 0 ? dims[3] : options.InputWidth > 0 ? options.InputWidth : fallbackWidth,
            dims[2] > 0 ? dims[2] : options.InputHeight > 0 ? options.InputHeight : fallbackHeight);

    public void Dispose()
    {
        foreach (var sizes in _buffers.Values)
            foreach (var b in sizes.Values) b.Dispose();
        _buffers.Dispose();
    }
}
