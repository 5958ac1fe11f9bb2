using FaceAge.Core.Imaging;

namespace FaceAge.Core.Tests.Imaging;

public class ImageDecoderTests
{
    [Fact]
    public void Corrupt_bytes_give_an_error_naming_the_input()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode([0xFF, 0xD8, 0xFF, 0x00, 0x12, 0x34], "broken.jpg"));
        Assert.StartsWith("broken.jpg:", e.Message);
    }

    [Fact]
    public void Empty_file_is_reported_as_empty()
    {
        var path = Path.GetTempFileName();
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeFile(path));
        Assert.Contains("empty", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Missing_file_is_reported_as_unreadable()
        => Assert.Contains("cannot read", Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeFile("/no/such/file.png")).Message);
}
