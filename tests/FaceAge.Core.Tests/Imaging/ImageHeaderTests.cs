using FaceAge.Core.Imaging;
using OpenCvSharp;

namespace FaceAge.Core.Tests.Imaging;

public class ImageHeaderTests
{
    [Theory]
    [InlineData(".png")]
    [InlineData(".jpg")]
    [InlineData(".bmp")]
    [InlineData(".webp")]
    public void Size_is_read_from_the_header_of_real_encoded_images(string format)
    {
        using var image = new Mat(123, 321, MatType.CV_8UC3, Scalar.All(90));
        Cv2.ImEncode(format, image, out var bytes);
        Assert.Equal((321L, 123L), ImageHeader.TryReadSize(bytes));
    }

    [Fact]
    public void Unknown_or_too_short_data_has_no_size()
    {
        Assert.Null(ImageHeader.TryReadSize("hello, not an image"u8));
        Assert.Null(ImageHeader.TryReadSize([0x89, (byte)'P', (byte)'N']));
        Assert.Null(ImageHeader.TryReadSize([]));
    }

    [Fact]
    public void A_header_claiming_a_huge_image_is_refused_before_decoding()
    {
        using var image = new Mat(10, 10, MatType.CV_8UC3, Scalar.All(90));
        Cv2.ImEncode(".png", image, out var png);
        // IHDR width and height → 60000 × 60000 (3.6 G pixels); the CRC no longer matches, which does not matter here.
        png[16] = 0; png[17] = 0; png[18] = 0xEA; png[19] = 0x60;
        png[20] = 0; png[21] = 0; png[22] = 0xEA; png[23] = 0x60;
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, "huge.png"));
        Assert.Contains("huge.png: image is 60000x60000, larger than the 100000000 pixel limit", e.Message);
    }
}
