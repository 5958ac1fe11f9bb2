using OpenCvSharp;

namespace FaceAge.Core.Imaging;

public enum TensorLayout { Nchw, Nhwc }

/// <summary>
/// How a model wants its pixels: channel order, per-channel mean (in the model's channel order) and a
/// scale, value = (pixel − mean) · scale (or one scale per channel, <paramref name="ChannelScales"/>, for models
/// normalised by per-channel deviations), written as NCHW or NHWC. The work is OpenCV's vectorized conversions,
/// written straight into the tensor's memory (this runs for every detector tile and every face crop).
/// </summary>
public sealed record PixelNormalization(bool Rgb, float[] Mean, float Scale, TensorLayout Layout, float[]? ChannelScales = null)
{
    private float ScaleOf(int channel) => ChannelScales?[channel] ?? Scale;

    // Per-thread scratch (detect and estimate threads run in parallel): one channel-swapped image.
    [ThreadStatic] private static Mat? _swapped;

    /// <summary>Writes one 8-bit BGR image (already at the network size) into <paramref name="destination"/>.</summary>
    public unsafe void Write(Mat bgr, Span<float> destination)
    {
        if (bgr.Type() != MatType.CV_8UC3) throw new ArgumentException("Expected an 8-bit, 3-channel BGR image.", nameof(bgr));
        int h = bgr.Rows, w = bgr.Cols, plane = h * w;
        if (destination.Length < plane * 3) throw new ArgumentException("Destination is smaller than the image.", nameof(destination));
        fixed (float* dst = destination)
        {
            if (Layout == TensorLayout.Nchw)
            {
                // One vectorised pass splits the three channels (three channel extractions read the image three times).
                Cv2.Split(bgr, out var channels);
                try
                {
                    for (int c = 0; c < 3; c++)
                    {
                        // Model channel c comes from BGR channel 2 − c for RGB models.
                        using var target = Mat.FromPixelData(h, w, MatType.CV_32FC1, (IntPtr)(dst + c * plane));
                        channels[Rgb ? 2 - c : c].ConvertTo(target, MatType.CV_32F, ScaleOf(c), -Mean[c] * ScaleOf(c));
                    }
                }
                finally
                {
                    foreach (var channel in channels) channel.Dispose();
                }
            }
            else
            {
                var source = bgr;
                if (Rgb)
                {
                    source = _swapped ??= new Mat();
                    Cv2.CvtColor(bgr, source, ColorConversionCodes.BGR2RGB);
                }
                using var target = Mat.FromPixelData(h, w, MatType.CV_32FC3, (IntPtr)dst);
                source.ConvertTo(target, MatType.CV_32F, ChannelScales is null ? Scale : 1, 0);
                if (ChannelScales is null)
                {
                    if (Mean.Any(m => m != 0)) Cv2.Subtract(target, new Scalar(Mean[0] * Scale, Mean[1] * Scale, Mean[2] * Scale), target);
                }
                else
                {
                    Cv2.Subtract(target, new Scalar(Mean[0], Mean[1], Mean[2]), target);
                    Cv2.Multiply(target, new Scalar(ChannelScales[0], ChannelScales[1], ChannelScales[2]), target);
                }
            }
        }
    }
}
