using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using FaceAge.Core.Detection;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Training.Precision;
using OpenCvSharp;

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
        var options = new Options();
        var command = new Command("face-free-video",
            "Write a single-person video with the person's face painted out of every frame (a background without faces).");
        options.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(() => Run(options.Read(parse))));
        return command;
    }

    private sealed record FaceFreeVideoArguments(string ModelsDirectory, string Video, string OutputFile, double Fps);

    private sealed class Options
    {
        private readonly Option<string> _video = new("--video") { Description = "A video that shows exactly one person.", Required = true };
        private readonly Option<string> _output = new("--out") { Description = "The H.264 MP4 to write.", Required = true };
        private readonly Option<double> _fps = new("--fps") { Description = "Frames per second written.", DefaultValueFactory = _ => 10 };
        private readonly Option<string?> _models = CommonOptions.ModelsFolder();

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { _video, _output, _fps, _models }) command.Options.Add(o);
        }

        public FaceFreeVideoArguments Read(ParseResult parse)
            => new(ModelDirectory.Locate(parse.GetValue(_models)), parse.GetValue(_video)!, parse.GetValue(_output)!, parse.GetValue(_fps));
    }

    private static int Run(FaceFreeVideoArguments arguments)
    {
        using var reference = DetectorRegistry.Create(
            new DetectorOptions { Tiles = 2, ScoreThreshold = 0.5f }, arguments.ModelsDirectory, new OnnxSessionFactory(new InferenceOptions()));
        Process? ffmpeg = null;
        int frames = 0;
        try
        {
            foreach (var frame in FaceFreeFrames.FromSinglePersonVideo(arguments.Video, arguments.Fps, reference))
                using (frame)
                {
                    if (frame.Kind != "masked") continue;
                    ffmpeg ??= StartEncoder(frame.Image, arguments);
                    var bytes = new byte[frame.Image.Width * frame.Image.Height * 3];
                    Marshal.Copy(frame.Image.Data, bytes, 0, bytes.Length);
                    ffmpeg.StandardInput.BaseStream.Write(bytes);
                    frames++;
                }
        }
        finally
        {
            ffmpeg?.StandardInput.Close();
            ffmpeg?.WaitForExit();
        }
        if (ffmpeg is null || ffmpeg.ExitCode != 0)
            throw new InvalidOperationException($"no face-free video written (frames {frames}, ffmpeg exit {ffmpeg?.ExitCode})");
        Console.Error.WriteLine($"face-free-video: {frames} frames written to {arguments.OutputFile}");
        return 0;
    }

    /// <summary>ffmpeg reading raw BGR frames of the first frame's size on stdin and writing H.264.</summary>
    private static Process StartEncoder(Mat first, FaceFreeVideoArguments arguments)
        => Process.Start(new ProcessStartInfo("ffmpeg", ["-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
            "-s", $"{first.Width}x{first.Height}", "-r", arguments.Fps.ToString(CultureInfo.InvariantCulture),
            "-i", "-", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", arguments.OutputFile]) { RedirectStandardInput = true })!;
}
