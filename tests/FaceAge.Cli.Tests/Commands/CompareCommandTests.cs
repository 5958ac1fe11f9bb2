using System.Text.Json;
using FaceAge.Testing;

namespace FaceAge.Cli.Tests.Commands;

public class CompareCommandTests
{
    private static List<JsonElement> Lines(string jsonl)
        => jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void Each_face_of_a_photo_is_the_same_person_as_its_own_face_in_a_mirrored_smaller_copy_and_no_one_else()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-compare");
        var copy = Path.Combine(dir.FullName, "sample3-mirrored.jpg");
        var ffmpeg = System.Diagnostics.Process.Start("ffmpeg",
            ["-v", "error", "-y", "-i", SamplePhotos.PathOf("sample3.jpg"), "-vf", "scale=iw*0.7:-2,hflip", copy])!;
        ffmpeg.WaitForExit();

        var result = CliRunner.Run("compare", SamplePhotos.PathOf("sample3.jpg"), copy);

        Assert.Equal(0, result.ExitCode);
        var pairs = Lines(result.Stdout);
        Assert.Equal(9, pairs.Count); // 3 faces × 3 faces
        Assert.All(pairs, p =>
        {
            Assert.InRange(p.GetProperty("similarity").GetDouble(), -1, 1);
            Assert.InRange(p.GetProperty("confidence").GetDouble(), 0, 1);
            Assert.InRange(p.GetProperty("sameProbability").GetDouble(), 0, 1);
            Assert.False(p.TryGetProperty("embedding", out _), "embeddings must never be written");
        });
        // Mirrored, the left-most face of one image is the right-most of the other: match by box position.
        double width = 0.7 * OpenCvSharp.Cv2.ImRead(SamplePhotos.PathOf("sample3.jpg")).Width;
        foreach (var group in pairs.GroupBy(p => p.GetProperty("faceA").GetInt32()))
        {
            var best = group.MaxBy(p => p.GetProperty("similarity").GetDouble());
            Assert.True(best.GetProperty("same").GetBoolean(), $"face {group.Key} does not match itself");
            Assert.Single(group, p => p.GetProperty("same").GetBoolean());
            double ax = best.GetProperty("boxA").GetProperty("x").GetDouble() + best.GetProperty("boxA").GetProperty("width").GetDouble() / 2;
            double bx = best.GetProperty("boxB").GetProperty("x").GetDouble() + best.GetProperty("boxB").GetProperty("width").GetDouble() / 2;
            Assert.InRange(width - bx, 0.7 * ax - 60, 0.7 * ax + 60);
        }
        Assert.Contains("3 face(s) in A, 3 in B; 9 pair(s), 3 the same person", result.Stderr);
        dir.Delete(true);
    }

    [Fact]
    public void A_missing_input_is_an_error_naming_it()
    {
        var result = CliRunner.Run("compare", SamplePhotos.PathOf("sample1.jpg"), "/nowhere/b.jpg");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("/nowhere/b.jpg", result.Stderr);
    }

    [Fact]
    public void A_corrupt_image_in_a_folder_is_reported_and_the_rest_compared()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-compare-bad");
        File.Copy(SamplePhotos.PathOf("sample1.jpg"), Path.Combine(dir.FullName, "a.jpg"));
        File.WriteAllBytes(Path.Combine(dir.FullName, "b.jpg"), [0xFF, 0xD8, 1, 2]);
        var result = CliRunner.Run("compare", dir.FullName, SamplePhotos.PathOf("sample1.jpg"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("b.jpg", result.Stderr);
        Assert.Equal(9, Lines(result.Stdout).Count);
        dir.Delete(true);
    }
}
