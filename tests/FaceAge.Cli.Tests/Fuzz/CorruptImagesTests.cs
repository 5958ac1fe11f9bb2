using System.Buffers.Binary;
using System.Text;
using FaceAge.Testing;
using OpenCvSharp;

namespace FaceAge.Cli.Tests.Fuzz;

/// <summary>
/// 1,000 broken files through `faceage analyze` in one run: truncated, bit-flipped, empty, random, huge
/// claimed dimensions and wrong formats. Each bad file gets one error line naming it, the run goes on,
/// the process neither crashes nor allocates without bound.
/// </summary>
public class CorruptImagesTests
{
    [Fact]
    public void A_thousand_corrupt_files_give_errors_naming_them_and_no_crash()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-fuzz").FullName;
        var random = new Random(20261123);
        var jpeg = File.ReadAllBytes(SamplePhotos.PathOf("sample2.jpg"));
        byte[] png;
        using (var small = new Mat())
        {
            using var image = Cv2.ImRead(SamplePhotos.PathOf("sample2.jpg"));
            Cv2.Resize(image, small, new Size(320, 240));
            Cv2.ImEncode(".png", small, out png);
        }
        int n = 0;
        void Write(string ext, byte[] bytes) => File.WriteAllBytes(Path.Combine(dir, $"f{n++:0000}{ext}"), bytes);
        byte[] Flip(byte[] source)
        {
            var copy = (byte[])source.Clone();
            for (int k = random.Next(1, 50); k > 0; k--) copy[random.Next(copy.Length)] = (byte)random.Next(256);
            return copy;
        }

        for (int i = 0; i < 150; i++) Write(".jpg", jpeg[..random.Next(1, jpeg.Length - 1)]);          // truncated
        for (int i = 0; i < 150; i++) Write(".jpg", Flip(jpeg));                                         // bit-flipped
        for (int i = 0; i < 100; i++) Write(".png", png[..random.Next(1, png.Length - 1)]);
        for (int i = 0; i < 100; i++) Write(".png", Flip(png));
        for (int i = 0; i < 100; i++) Write(".jpg", []);                                                 // empty
        for (int i = 0; i < 100; i++) Write(".jpg", Enumerable.Range(0, random.Next(1, 100_000)).Select(_ => (byte)random.Next(256)).ToArray());
        for (int i = 0; i < 100; i++) Write(".png", HugePng(random.Next(20_000, 65_000), random.Next(20_000, 65_000)));
        for (int i = 0; i < 100; i++) Write(".jpg", HugeJpeg(jpeg, (ushort)random.Next(30_000, 65_535), (ushort)random.Next(30_000, 65_535)));
        string[] wrong = ["just some text\n", "{\"not\": \"an image\"}", "%PDF-1.7\n%âãÏÓ\n1 0 obj\n", "\u007fELF\u0002\u0001\u0001", "GIF89a\u0001\u0000"];
        for (int i = 0; i < 100; i++) Write(".jpg", Encoding.Latin1.GetBytes(wrong[i % wrong.Length] + new string('x', random.Next(0, 500))));
        Assert.Equal(1000, Directory.GetFiles(dir).Length);

        var result = CliRunner.Run("analyze", dir, "--out", Path.Combine(dir, "..", Path.GetFileName(dir) + ".jsonl"));

        Assert.Equal(2, result.ExitCode); // some files failed: not a crash (134/139) and not success
        var errors = result.Stderr.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        var failedFiles = errors.Select(l => Path.GetFileName(l["error: ".Length..].Split(':')[0])).Distinct().ToList();
        Assert.Equal(errors.Count, failedFiles.Count); // one line per bad file, each naming it
        Assert.All(failedFiles, f => Assert.Matches(@"^f\d{4}\.(jpg|png)$", f));
        Assert.True(errors.Count >= 500, $"only {errors.Count} errors");
        Assert.Contains(errors, e => e.Contains("file is empty"));
        Assert.Contains(errors, e => e.Contains("pixel limit"));
        Assert.Contains(errors, e => e.Contains("not a decodable image"));
        Assert.Contains($"summary: {1000 - errors.Count} file(s) analysed, {errors.Count} failed", result.Stderr);
        Assert.True(result.PeakRssMiB is > 0 and < 1500, $"peak memory {result.PeakRssMiB:0} MiB");
    }

    /// <summary>A PNG whose IHDR claims width×height (with a correct CRC) and has no image data.</summary>
    private static byte[] HugePng(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
        var chunk = new byte[4 + 4 + 13 + 4];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, 13);
        "IHDR"u8.CopyTo(chunk.AsSpan(4));
        ihdr.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(21), Crc32(chunk.AsSpan(4, 17)));
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. chunk];
    }

    /// <summary>PNG's CRC-32 (polynomial 0xEDB88320), so the crafted header is otherwise valid.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A real JPEG whose start-of-frame marker is rewritten to claim width×height.</summary>
    private static byte[] HugeJpeg(byte[] jpeg, ushort width, ushort height)
    {
        var copy = (byte[])jpeg.Clone();
        for (int i = 2; i + 9 < copy.Length;)
        {
            byte marker = copy[i + 1];
            int length = copy[i + 2] << 8 | copy[i + 3];
            if (marker is >= 0xC0 and <= 0xC3)
            {
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 5), height);
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 7), width);
                return copy;
            }
            i += 2 + length;
        }
        throw new InvalidDataException("no SOF marker");
    }
}
