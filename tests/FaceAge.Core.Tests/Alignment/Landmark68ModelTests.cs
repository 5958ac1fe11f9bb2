using FaceAge.Core.Alignment;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Testing;
using OpenCvSharp;

namespace FaceAge.Core.Tests.Alignment;

/// <summary>
/// fr-landmark68 as set-up adapts it (a batch of any size) against the file npm ships (one face per run), and its points
/// on the sample photos' faces.
/// </summary>
public class Landmark68ModelTests
{
    [Fact]
    public void A_batch_through_the_adapted_file_gives_what_the_npm_file_gives_one_face_at_a_time()
    {
        var output = AdaptedNpmModel.AssertBatchMatchesOneAtATime(AdaptedNpmModel.NpmFile("fr_landmark.onnx"), RepoPaths.Model(Landmark68Model.File),
            [1, 64, 64], "landmarks", batch: 3, r => (float)r.NextDouble(), tolerance: 1e-5, seed: 3);
        Assert.Equal(3 * 136, output.Length);
    }

    [Fact]
    public void Every_sample_face_gets_eyes_then_nose_then_mouth_inside_its_box_and_mirroring_swaps_the_eyes()
    {
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var detector = DetectorRegistry.Create(new DetectorOptions(), RepoPaths.Models, sessions);
        using var landmarks = FaceLandmarkers.Create(Landmark68Model.Name, RepoPaths.Models, sessions);
        int faces = 0;
        foreach (var photo in SamplePhotos.FaceCounts.Keys)
        {
            using var image = ImageDecoder.DecodeFile(SamplePhotos.PathOf(photo));
            using var mirror = new Mat();
            Cv2.Flip(image, mirror, FlipMode.Y);
            var found = landmarks.WithLandmarks(image, detector.Detect(image));
            var mirrored = landmarks.WithLandmarks(mirror, found.Select(f => f with
            {
                Landmarks = null,
                Box = new BoxF(image.Width - f.Box.Right, f.Box.Y, f.Box.Width, f.Box.Height),
            }).ToList());
            for (int i = 0; i < found.Count; i++)
            {
                var box = found[i].Box;
                var lm = Assert.IsType<FaceLandmarks>(found[i].Landmarks);
                string where = $"{photo} face {i}";
                Assert.True(lm.RightEye.X < lm.LeftEye.X, $"{where}: the subject's right eye is on the image's left");
                // Down the face (across the eye line, whatever the head's roll): eyes, then nose, then mouth.
                float ex = lm.LeftEye.X - lm.RightEye.X, ey = lm.LeftEye.Y - lm.RightEye.Y;
                float cx = (lm.LeftEye.X + lm.RightEye.X) / 2, cy = (lm.LeftEye.Y + lm.RightEye.Y) / 2;
                float Down(PointF p) => (-ey * (p.X - cx) + ex * (p.Y - cy)) / MathF.Sqrt(ex * ex + ey * ey);
                var mouth = new PointF((lm.MouthRight!.Value.X + lm.MouthLeft!.Value.X) / 2, (lm.MouthRight.Value.Y + lm.MouthLeft.Value.Y) / 2);
                Assert.True(Down(lm.Nose) > 0 && Down(mouth) > Down(lm.Nose), $"{where}: eyes, nose, mouth down the face");
                Assert.InRange(MathF.Sqrt(ex * ex + ey * ey) / box.Width, 0.15, 0.6); // shorter on a turned head
                Assert.InRange(lm.Nose.X, box.X, box.Right);

                // The mirrored face's right eye is where the original's left eye was, mirrored (within 6 % of the box; pixel centres move by one on mirroring).
                var m = mirrored[i].Landmarks!;
                Assert.True(Math.Abs(image.Width - m.RightEye.X - lm.LeftEye.X) < 0.06 * box.Width, $"{where}: {m.RightEye} vs {lm.LeftEye}");
                Assert.True(Math.Abs(m.RightEye.Y - lm.LeftEye.Y) < 0.06 * box.Height, $"{where}: {m.RightEye} vs {lm.LeftEye}");
                faces++;
            }
        }
        Assert.True(faces >= 20, $"{faces} faces");
    }
}
