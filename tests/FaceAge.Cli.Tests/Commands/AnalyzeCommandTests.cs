using System.Text.Json;
using FaceAge.Testing;

namespace FaceAge.Cli.Tests.Commands;

public class AnalyzeCommandTests
{
    private static List<JsonElement> Lines(string jsonl)
        => jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void Sample_photos_give_the_verified_face_counts_all_female_adults()
    {
        var result = CliRunner.Run("analyze", RepoPaths.SamplePhotos);
        Assert.Equal(0, result.ExitCode);
        var faces = Lines(result.Stdout);
        foreach (var (photo, count) in SamplePhotos.FaceCounts)
            Assert.Equal(count, faces.Count(f => Path.GetFileName(f.GetProperty("source").GetString()) == photo));
        Assert.All(faces, f =>
        {
            Assert.Equal("female", f.GetProperty("gender").GetString());
            // Every face's stated interval reaches the adult range (a single photo's age is off by ~5 years on average).
            double age = f.GetProperty("age").GetDouble(), plusMinus = f.GetProperty("ageUncertainty").GetDouble();
            Assert.True(plusMinus > 0);
            Assert.True(age + plusMinus >= 18 && age - plusMinus <= 45, $"age {age} ± {plusMinus} misses 18–45");
            Assert.False(f.TryGetProperty("descriptor", out _), "descriptors must never be written");
        });
        // And nearly every estimate is an adult's: the default head puts one blurred face of sample5.jpg at 15 ± 8.
        Assert.True(faces.Count(f => f.GetProperty("age").GetDouble() is >= 18 and <= 45) >= faces.Count - 1);
        Assert.Contains("6 file(s) analysed, 0 failed; 22 face(s): 22 female, 0 male", result.Stderr);
    }

    [Fact]
    public void Each_face_line_gives_the_head_pose_and_a_mirrored_photo_turns_each_head_the_other_way()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-pose");
        var mirrored = Path.Combine(dir.FullName, "mirrored.png");
        using (var image = OpenCvSharp.Cv2.ImRead(SamplePhotos.PathOf("sample5.jpg")))
        using (var flipped = new OpenCvSharp.Mat())
        {
            OpenCvSharp.Cv2.Flip(image, flipped, OpenCvSharp.FlipMode.Y);
            OpenCvSharp.Cv2.ImWrite(mirrored, flipped);
        }
        var width = OpenCvSharp.Cv2.ImRead(mirrored).Width;
        var original = Lines(CliRunner.Run("analyze", SamplePhotos.PathOf("sample5.jpg")).Stdout);
        var other = Lines(CliRunner.Run("analyze", mirrored).Stdout);
        Assert.Equal(SamplePhotos.FaceCounts["sample5.jpg"], original.Count);
        int turned = 0;
        foreach (var face in original)
        {
            var box = face.GetProperty("box");
            double centre = box.GetProperty("x").GetDouble() + box.GetProperty("width").GetDouble() / 2;
            // The same face in the mirror image: the box whose centre is the mirror of this one's.
            var twin = other.MinBy(f => Math.Abs(width - centre - (f.GetProperty("box").GetProperty("x").GetDouble()
                + f.GetProperty("box").GetProperty("width").GetDouble() / 2)));
            double yaw = face.GetProperty("yaw").GetDouble(), pitch = face.GetProperty("pitch").GetDouble();
            Assert.InRange(yaw, -90, 90);
            Assert.True(face.TryGetProperty("roll", out _));
            Assert.True(Math.Abs(yaw + twin.GetProperty("yaw").GetDouble()) < 10, $"yaw {yaw} against mirrored {twin.GetProperty("yaw")}");
            Assert.True(Math.Abs(pitch - twin.GetProperty("pitch").GetDouble()) < 10, $"pitch {pitch} against mirrored {twin.GetProperty("pitch")}");
            if (Math.Abs(yaw) >= 10) turned++;
        }
        Assert.True(turned >= 2, "sample5.jpg has heads turned by 10° or more");
        dir.Delete(true);
    }

    [Fact]
    public void Corrupt_file_gets_one_error_line_and_the_run_continues_with_exit_code_2()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-analyze");
        File.Copy(SamplePhotos.PathOf("sample1.jpg"), Path.Combine(dir.FullName, "a_good.jpg"));
        File.WriteAllBytes(Path.Combine(dir.FullName, "b_corrupt.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        File.WriteAllBytes(Path.Combine(dir.FullName, "c_empty.png"), []);
        File.Copy(SamplePhotos.PathOf("sample2.jpg"), Path.Combine(dir.FullName, "d_good.jpg"));
        var outFile = Path.Combine(dir.FullName, "faces.jsonl");
        var annotate = Path.Combine(dir.FullName, "annotated");

        var result = CliRunner.Run("analyze", dir.FullName, "--out", outFile, "--annotate", annotate);

        Assert.Equal(2, result.ExitCode);
        var errors = result.Stderr.Split('\n').Where(l => l.StartsWith("error:")).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("b_corrupt.jpg"));
        Assert.Contains(errors, e => e.Contains("c_empty.png"));
        Assert.Equal(6, Lines(File.ReadAllText(outFile)).Count); // 3 + 3 faces from the two good photos
        Assert.True(File.Exists(Path.Combine(annotate, "a_good.jpg")));
        Assert.Empty(result.Stdout);
        dir.Delete(true);
    }

    [Fact]
    public void Video_is_analysed_frame_by_frame_with_times()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-video");
        var video = Path.Combine(dir.FullName, "clip.mp4");
        // A 3-second video made from one sample photo (3 faces), at 2 fps analysed → 6 frames × 3 faces.
        var ffmpeg = System.Diagnostics.Process.Start("ffmpeg",
            ["-v", "error", "-y", "-loop", "1", "-i", SamplePhotos.PathOf("sample3.jpg"), "-t", "3", "-r", "10", "-vf", "scale=960:-2",
                "-pix_fmt", "yuv420p", video])!;
        ffmpeg.WaitForExit();
        Assert.Equal(0, ffmpeg.ExitCode);

        var result = CliRunner.Run("analyze", video, "--video-fps", "2");
        Assert.Equal(0, result.ExitCode);
        var faces = Lines(result.Stdout);
        var frames = faces.GroupBy(f => f.GetProperty("frame").GetInt64()).ToList();
        Assert.Equal(6, frames.Count);
        Assert.All(frames, g => Assert.Equal(3, g.Count()));
        Assert.Equal(2.5, faces.Max(f => f.GetProperty("timeSeconds").GetDouble()), 3);
        dir.Delete(true);
    }

    [Fact]
    public void Detections_the_face_check_rejects_are_dropped_by_default_and_kept_marked_on_request()
    {
        // Generated face-free textures (skin-toned blobs with dark spots and the like) on which the detector fires,
        // beside a real photo: the photo's faces stay either way.
        var dir = Directory.CreateTempSubdirectory("faceage-nonfaces");
        foreach (var (frame, i) in FaceAge.Training.Precision.FaceFreeFrames.Textures(20, 1280, 720, seed: 7).Select((f, i) => (f, i)))
            using (frame) OpenCvSharp.Cv2.ImWrite(Path.Combine(dir.FullName, $"texture{i:00}.png"), frame.Image);
        File.Copy(SamplePhotos.PathOf("sample1.jpg"), Path.Combine(dir.FullName, "sample1.jpg"));

        var kept = CliRunner.Run("analyze", dir.FullName, "--non-faces", "keep");
        var dropped = CliRunner.Run("analyze", dir.FullName);

        Assert.Equal(0, kept.ExitCode);
        Assert.Equal(0, dropped.ExitCode);
        var all = Lines(kept.Stdout);
        var nonFaces = all.Where(f => !f.GetProperty("likelyFace").GetBoolean()).ToList();
        Assert.NotEmpty(nonFaces);
        Assert.All(nonFaces, f => Assert.StartsWith("texture", Path.GetFileName(f.GetProperty("source").GetString())));
        Assert.All(all, f => Assert.InRange(f.GetProperty("faceScore").GetDouble(), 0, 1));
        var reported = Lines(dropped.Stdout);
        Assert.All(reported, f => Assert.True(f.GetProperty("likelyFace").GetBoolean()));
        Assert.Equal(all.Count - nonFaces.Count, reported.Count);
        Assert.Equal(3, reported.Count(f => Path.GetFileName(f.GetProperty("source").GetString()) == "sample1.jpg"));
        Assert.Contains($"{nonFaces.Count} detection(s) dropped as no face", dropped.Stderr);
        dir.Delete(true);
    }

    [Fact]
    public void Missing_models_error_says_the_setup_command()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-nomodels");
        var result = CliRunner.Run("analyze", SamplePhotos.PathOf("sample1.jpg"), "--models", dir.FullName);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("models setup", result.Stderr);
        Assert.Contains(dir.FullName, result.Stderr);
    }

    [Fact]
    public void Bad_setting_stops_with_a_message_naming_the_key()
    {
        var result = CliRunner.Run("analyze", SamplePhotos.PathOf("sample1.jpg"), "--threshold", "1.5");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Detector:ScoreThreshold", result.Stderr);
    }
}
