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

    [Fact]
    public void Tiles_cut_from_the_frames_shared_halving_find_what_each_tile_finds_alone()
    {
        // The tiled detector halves the frame once and gives each tile its part; the inner detector must then see
        // exactly the input it would have made itself, so the merged result is what per-tile passes give.
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var detector = DetectorRegistry.Create(new DetectorOptions { Kind = "UltraFace", Tiles = 1 }, RepoPaths.Models, sessions);
        using var scene = SmallFacesScene();
        using var half = new Mat();
        Cv2.Resize(scene, half, new Size(scene.Width / 2, scene.Height / 2), 0, 0, InterpolationFlags.Area);
        var rect = new Rect(0, 0, 1464, 824); // a 2×2 tile of 2560×1440 with 25 % overlap
        using var tile = new Mat(scene, rect);
        using var tileHalf = new Mat(half, new Rect(0, 0, rect.Width / 2, rect.Height / 2));
        var alone = detector.Detect(tile);
        var shared = detector.Detect(new DetectorImage(tile.Width, tile.Height, null, tileHalf)); // the halving alone
        Assert.NotEmpty(alone);
        Assert.Equal(alone.Select(d => (d.Box, d.Score)), shared.Select(d => (d.Box, d.Score)));
    }

    /// <summary>A frame that counts what is asked of it.</summary>
    private sealed class CountingFrame(IFrameImage inner) : IFrameImage
    {
        public int BgrRequests, Halvings;
        public int Width => inner.Width;
        public int Height => inner.Height;
        public Mat Bgr { get { BgrRequests++; return inner.Bgr; } }
        public void HalveInto(Mat destination) { Halvings++; inner.HalveInto(destination); }
        public Mat Region(Rect region) => inner.Region(region);
    }

    [Fact]
    public void A_720p_camera_frame_is_searched_whole_and_in_tiles_from_one_halving_without_converting_it_whole()
    {
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var detector = DetectorRegistry.Create(new DetectorOptions { Kind = "UltraFace", Tiles = 2 }, RepoPaths.Models, sessions);
        using var photo = ImageDecoder.DecodeFile(SamplePhotos.PathOf("sample6.jpg"));
        using var scene = new Mat(720, 1280, MatType.CV_8UC3, new Scalar(128, 128, 128));
        using (var small = new Mat())
        {
            Cv2.Resize(photo, small, new Size(photo.Width / 3, photo.Height / 3), 0, 0, InterpolationFlags.Area);
            small.CopyTo(scene[new Rect(300, 100, small.Width, small.Height)]);
        }
        using var i420 = I420Image.FromBgr(scene);
        var frame = new CountingFrame(i420);

        var found = ((TiledFaceDetector)detector).Detect(frame, withTiles: true);
        Assert.Equal((0, 1), (frame.BgrRequests, frame.Halvings));
        var wholeOnly = ((TiledFaceDetector)detector).Detect(frame, withTiles: false);
        Assert.Equal((0, 2), (frame.BgrRequests, frame.Halvings));

        // The same faces as from the frame converted to BGR first (the halving differs only in colour detail).
        var fromBgr = detector.Detect(i420.Bgr);
        Assert.Equal(4, fromBgr.Count);
        Assert.Equal(fromBgr.Count, found.Count);
        Assert.All(fromBgr, b => Assert.Contains(found, f => IoU(f.Box, b.Box) > 0.8));
        Assert.True(wholeOnly.Count <= found.Count);
    }

    private static float IoU(BoxF a, BoxF b)
    {
        float w = Math.Min(a.Right, b.Right) - Math.Max(a.X, b.X), h = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Y, b.Y);
        if (w <= 0 || h <= 0) return 0;
        float inter = w * h;
        return inter / (a.Area + b.Area - inter);
    }

    /// <summary>Counts the passes it is asked for; finds nothing.</summary>
    private sealed class PassCounter : IFaceDetector
    {
        public int Whole, Tiles;
        public string Name => "counter";
        public (int Width, int Height) InputSize => (320, 240);
        public IReadOnlyList<FaceDetection> Detect(DetectorImage image) { Whole++; return []; }
        public IReadOnlyList<FaceDetection> DetectInTile(DetectorImage tile) { Tiles++; return []; }
        public void Dispose() { }
    }

    [Fact]
    public void Tiles_ask_the_detector_for_small_faces_only_and_the_whole_frame_for_everything()
    {
        var counter = new PassCounter();
        using var tiled = new TiledFaceDetector(counter, 2, 0.25f, 0.3f);
        using var frame = new Mat(720, 1280, MatType.CV_8UC3, Scalar.Gray);

        tiled.Detect(frame);

        Assert.Equal(1, counter.Whole); // where a detector's passes for large faces (UltraFace's ZoomOut) run
        Assert.Equal(4, counter.Tiles);
    }
}
