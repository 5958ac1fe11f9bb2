using System.CommandLine;
using System.Diagnostics;
using FaceAge.Core.Detection;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Training.Precision;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage bench face-free-video`: a video of one person with that person's face painted out in every frame (as the
/// precision bench's face-free frames), for backgrounds that hold no face of their own (the scene bench pastes its
/// known people onto it: tools/scene-bench.sh).
/// </summary>
public static class FaceFreeVideoCommand
{
    public static Command Create()
    {
        var video = new Option<string>("--video") { Description = "A video that shows exactly one person.", Required = true };
        var output = new Option<string>("--out") { Description = "The H.264 MP4 to write.", Required = true };
        var fps = new Option<double>("--fps") { Description = "Frames per second written.", DefaultValueFactory = _ => 10 };
        var models = new Option<string?>("--models") { Description = "Models folder." };
        var command = new Command("face-free-video", "Write a single-person video with the person's face painted out of every frame (a background without faces).");
        foreach (var o in new Option[] { video, output, fps, models }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var modelsDir = ModelDirectory.Locate(parse.GetValue(models));
            using var reference = DetectorRegistry.Create(new DetectorOptions { Tiles = 2, ScoreThreshold = 0.5f }, modelsDir, new OnnxSessionFactory(new InferenceOptions()));
            Process? ffmpeg = null;
            int frames = 0;
            try
            {
                foreach (var frame in FaceFreeFrames.FromSinglePersonVideo(parse.GetValue(video)!, parse.GetValue(fps), reference))
                    using (frame)
                    {
                        if (frame.Kind != "masked") continue;
                        ffmpeg ??= Process.Start(new ProcessStartInfo("ffmpeg", ["-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
                            "-s", $"{frame.Image.Width}x{frame.Image.Height}", "-r", parse.GetValue(fps).ToString(System.Globalization.CultureInfo.InvariantCulture),
                            "-i", "-", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", parse.GetValue(output)!]) { RedirectStandardInput = true })!;
                        var bytes = new byte[frame.Image.Width * frame.Image.Height * 3];
                        System.Runtime.InteropServices.Marshal.Copy(frame.Image.Data, bytes, 0, bytes.Length);
                        ffmpeg.StandardInput.BaseStream.Write(bytes);
                        frames++;
                    }
            }
            finally
            {
                ffmpeg?.StandardInput.Close();
                ffmpeg?.WaitForExit();
            }
            if (ffmpeg is null || ffmpeg.ExitCode != 0) throw new InvalidOperationException($"no face-free video written (frames {frames}, ffmpeg exit {ffmpeg?.ExitCode})");
            Console.Error.WriteLine($"face-free-video: {frames} frames written to {parse.GetValue(output)}");
            return 0;
        }));
        return command;
    }
}
