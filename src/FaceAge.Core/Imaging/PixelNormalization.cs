using OpenCvSharp;

namespace FaceAge.Core.Imaging;

public enum TensorLayout { Nchw, Nhwc }

/// <summary>
/// How a model wants its pixels: channel order, per-channel mean (in the model's channel order) and a
/// scale, value = (pixel − mean) · scale, written as NCHW or NHWC.
/// </summary>
public sealed record PixelNormalization(bool Rgb, float[] Mean, float Scale, TensorLayout Layout)
{
    /// <summary>Writes one 8-bit BGR image (already at the network size) into <paramref name="destination"/>.</summary>
    public unsafe void Write(Mat bgr, Span<float> destination)
    {
        if (bgr.Type() != MatType.CV_8UC3) throw new ArgumentException("Expected an 8-bit, 3-channel BGR image.", nameof(bgr));
        int h = bgr.Rows, w = bgr.Cols, plane = h * w;
        if (destination.Length < plane * 3) throw new ArgumentException("Destination is smaller than the image.", nameof(destination));
        // Source channel feeding model channel c: BGR input, so RGB models read index 2 - c.
        int s0 = Rgb ? 2 : 0, s1 = 1, s2 = Rgb ? 0 : 2;
        float m0 = Mean[0], m1 = Mean[1], m2 = Mean[2], scale = Scale;
        fixed (float* dst = destination)
        {
            for (int y = 0; y < h; y++)
            {
                byte* row = (byte*)bgr.Ptr(y);
                for (int x = 0; x < w; x++)
                {
                    byte* px = row + x * 3;
                    float v0 = (px[s0] - m0) * scale, v1 = (px[s1] - m1) * scale, v2 = (px[s2] - m2) * scale;
                    int i = y * w + x;
                    if (Layout == TensorLayout.Nchw)
                    {
                        dst[i] = v0;
                        dst[plane + i] = v1;
                        dst[2 * plane + i] = v2;
                    }
                    else
                    {
                        dst[i * 3] = v0;
                        dst[i * 3 + 1] = v1;
                        dst[i * 3 + 2] = v2;
                    }
                }
            }
        }
    }
}
