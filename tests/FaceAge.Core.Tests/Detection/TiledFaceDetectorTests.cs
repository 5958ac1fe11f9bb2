using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Testing;
using OpenCvSharp;

namespace FaceAge.Core.Tests.Detection;

public class TiledFaceDetectorTests
{
    /// <summary>sample6.jpg (4 faces) shrunk into the corner of a large grey canvas: faces of about 40 px in 2560×1440.</summary>
    private static Mat SmallFacesScene()
    {
        using var photo = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample6.jpg"));
        var canvas = new Mat(1440, 2560, MatType.CV_8UC3, new Scalar(128, 128, 128));
        using var small = new Mat();
        Cv2.Resize(photo, small, new Size(photo.Width / 7, photo.Height / 7), 0, 0, InterpolationFlags.Area);
        small.CopyTo(canvas[new Rect(200, 300, small.Width, small.Height)]);
        return canvas;
    }

    [Fact]
    public void Tiles_find_small_faces_that_the_whole_frame_pass_misses()
    {
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var whole = DetectorRegistry.Create(new DetectorOptions { Kind = "UltraFace", Tiles = 1 }, RepoPaths.Models, sessions);
        using var tiled = DetectorRegistry.Create(new DetectorOptions { Kind = "UltraFace", Tiles = 4 }, RepoPaths.Models, sessions);
        using var scene = SmallFacesScene();
        var plain = whole.Detect(scene);
        var withTiles = tiled.Detect(scene);
        Assert.True(plain.Count < 4, $"the whole-frame pass should miss ~40 px faces at 320×240 input, found {plain.Count}");
        Assert.Equal(4, withTiles.Count);
        // Tile results are mapped back to full-image coordinates, inside the pasted photo.
        Assert.All(withTiles, d => Assert.InRange(d.Box.CenterX, 200, 200 + 1920 / 7));
    }
}
