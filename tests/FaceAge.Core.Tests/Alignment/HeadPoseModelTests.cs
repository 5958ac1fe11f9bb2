using FaceAge.Core.Alignment;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace FaceAge.Core.Tests.Alignment;

/// <summary>
/// The fr-pose network as set-up copies it, and on the sample photos' faces against their mirror images: yaw and roll turn round, pitch stays.
/// </summary>
public class HeadPoseModelTests(ITestOutputHelper output)
{
    [Fact]
    public void The_set_up_file_gives_what_the_npm_file_gives()
    {
        var yaw = AdaptedNpmModel.AssertBatchMatchesOneAtATime(AdaptedNpmModel.NpmFile("fr_pose.onnx"), RepoPaths.Model(HeadPoseModel.File), [3, 224, 224],
            "yaw", batch: 1, r => (float)(r.NextDouble() * 4 - 2), tolerance: 1e-4, seed: 5);
        Assert.Equal(66, yaw.Length);
    }

    [Fact]
    public void The_sample_faces_turn_the_other_way_in_their_mirror_images_and_keep_their_pitch()
    {
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var detector = DetectorRegistry.Create(new DetectorOptions(), RepoPaths.Models, sessions);
        using var model = new HeadPoseModel(sessions.Create(RepoPaths.Model(HeadPoseModel.File)));
        List<double> yaws = [], yawOff = [], pitchOff = [], rollOff = [];
        foreach (var photo in SamplePhotos.FaceCounts.Keys)
        {
            using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf(photo));
            using var mirror = new Mat();
            Cv2.Flip(image, mirror, FlipMode.Y);
            foreach (var (face, i) in detector.Detect(image).Select((f, i) => (f, i)))
            {
                var box = face.Box;
                var pose = model.Estimate(image, box);
                var other = model.Estimate(mirror, new BoxF(image.Width - box.Right, box.Y, box.Width, box.Height));
                output.WriteLine($"{photo} face {i}: yaw {pose.Yaw:0.0} / mirrored {other.Yaw:0.0}, pitch {pose.Pitch:0.0} / {other.Pitch:0.0}, "
                    + $"roll {pose.Roll:0.0} / {other.Roll:0.0}");
                string where = $"{photo} face {i}";
                if (Math.Abs(pose.Yaw) >= 10) Assert.True(Math.Sign(pose.Yaw) == -Math.Sign(other.Yaw), $"{where}: a turned face turns the other way mirrored");
                yaws.Add(pose.Yaw);
                yawOff.Add(Math.Abs(pose.Yaw + other.Yaw));
                pitchOff.Add(Math.Abs(pose.Pitch - other.Pitch));
                rollOff.Add(Math.Abs(pose.Roll + other.Roll));
            }
        }
        // The network is not exactly symmetric: measured on video frames and photos, |pitch − pitch'| has a median of 0.5–0.8°
        // and a 95th percentile of 4–5° (accuracy.md, "Head pose"); one sample face differs by 11°, a face in profile by 11° of yaw.
        static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        Assert.True(Median(yawOff) < 5 && yawOff.Max() < 15, $"|yaw + mirrored yaw|: median {Median(yawOff):0.0}, max {yawOff.Max():0.0}");
        Assert.True(Median(pitchOff) < 4 && pitchOff.Max() < 15, $"|pitch − mirrored pitch|: median {Median(pitchOff):0.0}, max {pitchOff.Max():0.0}");
        Assert.True(Median(rollOff) < 5 && rollOff.Max() < 20, $"|roll + mirrored roll|: median {Median(rollOff):0.0}, max {rollOff.Max():0.0}");
        // The photos hold faces turned both ways, so the check was not only of faces looking straight at the camera.
        Assert.Contains(yaws, y => y >= 10);
        Assert.Contains(yaws, y => y <= -10);
    }
}
