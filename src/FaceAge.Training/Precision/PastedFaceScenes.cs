using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Training.Evaluation;
using OpenCvSharp;

namespace FaceAge.Training.Precision;

/// <summary>A face pasted at a known place and size.</summary>
public sealed record PastedFace(BoxF Box, int Size, string Source);

/// <summary>A frame with faces pasted into it, and where they are.</summary>
public sealed record PastedScene(Mat Image, List<PastedFace> Faces) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

/// <summary>
/// Faces of known size at known places: labelled face chips pasted onto real background frames, at most six a frame,
/// never overlapping, cycling through the sizes. The detector benches measure recall on them; the face-check trainer
/// takes its true faces from them.
/// </summary>
public static class PastedFaceScenes
{
    /// <summary>In a UTKFace chip the face spans about 60 % of the chip side; face size = chip side × this.</summary>
    public const double FaceFractionOfChip = 0.6;

    public static List<PastedScene> Build(IReadOnlyList<LabeledFace> faces, IReadOnlyList<Mat> backgrounds, int[] sizes, int perSize, Random random)
    {
        var queue = new Queue<int>(sizes.SelectMany(s => Enumerable.Repeat(s, perSize)).OrderBy(_ => random.Next()));
        var scenes = new List<PastedScene>();
        while (queue.Count > 0)
        {
            var image = backgrounds[scenes.Count % backgrounds.Count].Clone();
            var placed = new List<PastedFace>();
            var occupied = new List<Rect>();
            for (int k = 0; k < 6 && queue.Count > 0; k++)
            {
                int size = queue.Peek();
                int chip = (int)Math.Round(size / FaceFractionOfChip);
                Rect? spot = null;
                for (int attempt = 0; attempt < 50 && spot is null; attempt++)
                {
                    var r = new Rect(random.Next(0, image.Width - chip), random.Next(0, image.Height - chip), chip, chip);
                    if (!occupied.Any(o => (o & new Rect(r.X - 8, r.Y - 8, r.Width + 16, r.Height + 16)).Width > 0)) spot = r;
                }
                if (spot is not { } place) break;
                queue.Dequeue();
                var source = faces[random.Next(faces.Count)].Path;
                using var face = ImageDecoder.DecodeFile(source);
                using var resized = new Mat();
                Cv2.Resize(face, resized, new Size(chip, chip), 0, 0, chip < face.Width ? InterpolationFlags.Area : InterpolationFlags.Linear);
                resized.CopyTo(image[place]);
                occupied.Add(place);
                float margin = (chip - size) / 2f;
                placed.Add(new PastedFace(new BoxF(place.X + margin, place.Y + margin, size, size), size, source));
            }
            scenes.Add(new PastedScene(image, placed));
        }
        return scenes;
    }

    /// <summary>A detection finds a pasted face when its centre lies in the face box and their IoU is at least 0.2
    /// (detectors draw boxes of different extents).</summary>
    public static bool Finds(FaceDetection d, BoxF truth)
        => d.Box.CenterX >= truth.X && d.Box.CenterX <= truth.Right && d.Box.CenterY >= truth.Y && d.Box.CenterY <= truth.Bottom
            && d.Box.IntersectionOverUnion(truth) >= 0.2f;
}
