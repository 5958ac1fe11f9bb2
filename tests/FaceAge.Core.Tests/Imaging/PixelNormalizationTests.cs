using FaceAge.Core.Imaging;
using OpenCvSharp;

namespace FaceAge.Core.Tests.Imaging;

public class PixelNormalizationTests
{
    // A 1×2 BGR image: pixel 0 = (B 10, G 20, R 30), pixel 1 = (B 40, G 50, R 60).
    private static Mat TwoPixels()
    {
        var m = new Mat(1, 2, MatType.CV_8UC3);
        m.Set(0, 0, new Vec3b(10, 20, 30));
        m.Set(0, 1, new Vec3b(40, 50, 60));
        return m;
    }

    [Fact]
    public void Bgr_nhwc_with_means_subtracts_per_channel_in_bgr_order()
    {
        var values = new float[6];
        new PixelNormalization(false, [1, 2, 3], 1, TensorLayout.Nhwc).Write(TwoPixels(), values);
        Assert.Equal([9f, 18, 27, 39, 48, 57], values);
    }

    [Fact]
    public void Rgb_nchw_scaled_writes_planes_in_rgb_order()
    {
        var values = new float[6];
        new PixelNormalization(true, [0, 0, 0], 0.5f, TensorLayout.Nchw).Write(TwoPixels(), values);
        Assert.Equal([15f, 30, 10, 25, 5, 20], values);
    }
}
