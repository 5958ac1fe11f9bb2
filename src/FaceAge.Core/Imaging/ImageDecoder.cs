using OpenCvSharp;

namespace FaceAge.Core.Imaging;

/// <summary>An image file that cannot be read or decoded.</summary>
public sealed class ImageDecodeException(string source, string reason) : Exception($"{source}: {reason}")
{
    public string InputName { get; } = source;
}

/// <summary>Decodes image files and buffers into 8-bit BGR images, with errors that name the input.</summary>
public static class ImageDecoder
{
    /// <summary>Images larger than this (in pixels) are refused rather than allocated.</summary>
    public const long MaxPixels = 100_000_000;

    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff" };

    /// <summary>Whether a file name has an image extension FaceAge reads.</summary>
    public static bool IsImageFile(string path) => Extensions.Contains(Path.GetExtension(path));

    public static Mat DecodeFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, $"cannot read file ({e.Message})");
        }
        return Decode(bytes, path);
    }

    public static Mat Decode(byte[] bytes, string source)
    {
        if (bytes.Length == 0) throw new ImageDecodeException(source, "file is empty");
        // Refuse from the header what would be refused after decoding, before anything is allocated for it.
        if (ImageHeader.TryReadSize(bytes) is var (w, h) && w * h > MaxPixels)
            throw new ImageDecodeException(source, $"image is {w}x{h}, larger than the {MaxPixels} pixel limit");
        Mat image;
        try
        {
            image = Cv2.ImDecode(bytes, ImreadModes.Color);
        }
        catch (OpenCVException e)
        {
            throw new ImageDecodeException(source, $"not a decodable image ({e.Message})");
        }
        if (image.Empty())
        {
            image.Dispose();
            throw new ImageDecodeException(source, "not a decodable image (unknown format or corrupt data)");
        }
        if ((long)image.Width * image.Height > MaxPixels)
        {
            image.Dispose();
            throw new ImageDecodeException(source, $"image is {image.Width}x{image.Height}, larger than the {MaxPixels} pixel limit");
        }
        return image;
    }
}
