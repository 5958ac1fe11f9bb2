using System.Diagnostics;
using FaceAge.Testing;

namespace FaceAge.Worker.Tests.Support;

/// <summary>Videos made by the tests with ffmpeg from photos: the npm sample photos (faces counted by eye), or others by path.</summary>
public static class TestVideos
{
    /// <summary>Each photo for <paramref name="seconds"/> then <paramref name="gap"/> s of black, 1280×720 H.264 at 10 fps.</summary>
    public static string FromPhotos(string[] photos, double seconds = 4, double gap = 2)
        => FromImages(photos.Select(SamplePhotos.PathOf).ToArray(), seconds, gap);

    /// <summary>As <see cref="FromPhotos"/>, for image files anywhere (given by path).</summary>
    public static string FromImages(string[] photos, double seconds = 4, double gap = 2)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("faceage-video").FullName, "photos.mp4");
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-y" };
        var filter = "";
        for (int i = 0; i < photos.Length; i++)
        {
            args.AddRange(["-loop", "1", "-t", $"{seconds}", "-framerate", "10", "-i", photos[i]]);
            filter += $"[{i}]scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=10,"
                + $"tpad=stop_duration={gap}:color=black[v{i}];";
        }
        filter += string.Concat(Enumerable.Range(0, photos.Length).Select(i => $"[v{i}]")) + $"concat=n={photos.Length}:v=1:a=0[out]";
        args.AddRange(["-filter_complex", filter, "-map", "[out]", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10", path]);
        using var ffmpeg = Process.Start("ffmpeg", args)!;
        ffmpeg.WaitForExit();
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException("ffmpeg could not make the test video");
        return path;
    }

    /// <summary>
    /// A camera-like scene made by ../shared/tools/scene/make_scene.py: each photo pasted once (an oval of it,
    /// <paramref name="minFace"/>–<paramref name="maxFace"/> px) crossing a grey 1280×720 frame in 4–10 s, several at a time, 10 fps.
    /// </summary>
    public static string Scene(string[] photos, int seconds, int seed, int minFace = 160, int maxFace = 320)
    {
        var dir = Directory.CreateTempSubdirectory("faceage-scene").FullName;
        // The tool writes each person's age and gender into its truth file; these tests score neither, so every row says 30, M.
        File.WriteAllLines(Path.Combine(dir, "labels.csv"), ["path,age,gender", .. photos.Select(p => $"{Path.GetFullPath(p)},30,M")]);
        var path = Path.Combine(dir, "scene.mp4");
        string[] args = [Path.Combine(RepoPaths.Shared, "tools", "scene", "make_scene.py"), "--labels", Path.Combine(dir, "labels.csv"), "--out", path,
            "--truth", Path.Combine(dir, "truth.json"), "--people", $"{photos.Length}", "--reentry", "0", "--seconds", $"{seconds}",
            "--seed", $"{seed}", "--min-face", $"{minFace}", "--max-face", $"{maxFace}"];
        using var tool = Process.Start(new ProcessStartInfo(DebianPython.Executable, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var errors = tool.StandardError.ReadToEndAsync();
        tool.StandardOutput.ReadToEnd();
        tool.WaitForExit();
        if (tool.ExitCode != 0)
            throw new InvalidOperationException($"make_scene.py could not make the test scene (exit {tool.ExitCode}; needs python3-opencv): {errors.Result}");
        return path;
    }

    /// <summary>The video repeated <paramref name="times"/> more times into one file (stream copy, no re-encoding), for
    /// servers that play a file once.</summary>
    public static string Repeated(string video, int times)
    {
        var path = Path.Combine(Path.GetDirectoryName(video)!, Path.GetFileNameWithoutExtension(video) + $"-x{times + 1}.mp4");
        using var ffmpeg = Process.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-stream_loop", $"{times}", "-i", video, "-c", "copy", path])!;
        ffmpeg.WaitForExit();
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException("ffmpeg could not repeat the test video");
        return path;
    }
}
