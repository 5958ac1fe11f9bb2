using FaceAge.Core.Detection;
using FaceAge.Core.Fusion;
using FaceAge.Core.Imaging;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using FaceAge.Worker.LiveView;
using FaceAge.Worker.Tests.Support;
using OpenCvSharp;

namespace FaceAge.Worker.Tests.LiveView;

public class LiveViewStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static PersonEvent Person(string group, string gender)
        => new(Guid.NewGuid().ToString("N"), "cam", T0, T0, 3, 30, 4, group, gender, 0.9, 5, 120);

    [Fact]
    public void Last_hour_counts_people_by_age_group_and_gender_and_forgets_after_an_hour()
    {
        var clock = new ManualClock(T0);
        var state = new LiveViewState(new LiveViewOptions(), clock);
        state.AddCamera("cam", "Door");
        state.Accept(new PersonLeft(Person("25-34", "female"), DateTimeOffset.UtcNow));
        state.Accept(new PersonLeft(Person("25-34", "male"), DateTimeOffset.UtcNow));
        clock.Now = T0.AddMinutes(30);
        state.Accept(new PersonLeft(Person("25-34", "female"), DateTimeOffset.UtcNow));
        state.Accept(new OccupancyChanged("cam", 2, DateTimeOffset.UtcNow));

        var s = state.Snapshot();
        Assert.Equal(3, s.LastHour);
        Assert.Equal(2, s.LastHourByAgeGroup["25-34"]["female"]);
        Assert.Equal(1, s.LastHourByAgeGroup["25-34"]["male"]);
        Assert.Equal(2, s.PeopleNow);
        Assert.Equal("Door", s.Cameras.Single().Name);

        clock.Now = T0.AddMinutes(61);
        Assert.Equal(1, state.Snapshot().LastHour);
    }

    [Fact]
    public void Fps_comes_from_recent_frames_and_drops_to_zero_when_frames_stop()
    {
        var clock = new ManualClock(T0);
        var state = new LiveViewState(new LiveViewOptions(), clock);
        using var frame = new Mat(72, 128, MatType.CV_8UC3, Scalar.Gray);
        for (int i = 0; i < 21; i++)
        {
            clock.Now = T0.AddMilliseconds(100 * i);
            state.OnFrame("cam", new BgrImage(frame), [], clock.Now);
        }
        Assert.Equal(10, state.Snapshot().Cameras.Single().Fps, 1);
        clock.Now = T0.AddSeconds(30);
        Assert.Equal(0, state.Snapshot().Cameras.Single().Fps);
        state.Accept(new CameraStatusChanged(new CameraStatus("cam", CameraState.Offline, "test", DateTimeOffset.UtcNow), null));
        Assert.Equal("offline", state.Snapshot().Cameras.Single().State);
    }

    [Fact]
    public void Preview_is_a_jpeg_of_the_preview_width_and_blurring_changes_only_the_face()
    {
        var state = new LiveViewState(new LiveViewOptions { PreviewWidth = 320 });
        Assert.Null(state.RenderPreview("cam", blurFaces: false));

        // A 640×360 frame with 8-px stripes everywhere (4 px in the half-size preview); the face box is the centre.
        using var frame = new Mat(360, 640, MatType.CV_8UC3, Scalar.Black);
        for (int x = 0; x < 640; x += 16) Cv2.Rectangle(frame, new Rect(x, 0, 8, 360), Scalar.White, -1);
        var face = new BoxF(240, 100, 160, 160);
        state.OnFrame("cam", new BgrImage(frame), [(7L, face)], T0);

        using var plain = Cv2.ImDecode(state.RenderPreview("cam", blurFaces: false)!, ImreadModes.Color);
        using var blurred = Cv2.ImDecode(state.RenderPreview("cam", blurFaces: true)!, ImreadModes.Color);
        Assert.Equal(320, plain.Width);
        Assert.Equal(180, plain.Height);
        // Inside the (half-size) box, away from its border line: detail is gone when blurred.
        var inside = new Rect(130, 60, 60, 60);
        var outside = new Rect(10, 10, 60, 60);
        Assert.True(Detail(plain, inside) > 4 * Detail(blurred, inside), $"{Detail(plain, inside)} vs {Detail(blurred, inside)}");
        Assert.Equal(Detail(plain, outside), Detail(blurred, outside), 0);
    }

    [Fact]
    public void A_face_that_looks_at_the_screen_gets_a_green_box_and_one_that_turns_away_its_gender_colour()
    {
        var state = new LiveViewState(new LiveViewOptions { PreviewWidth = 1280 });
        using var frame = new Mat(720, 1280, MatType.CV_8UC3, Scalar.Black);
        state.OnFrame("cam", new BgrImage(frame), [(7L, new BoxF(200, 200, 240, 240)), (8L, new BoxF(800, 200, 240, 240))], T0);
        state.OnEstimate("cam", 7, Person("25-34", "female"), looking: true);
        state.OnEstimate("cam", 8, Person("25-34", "female"), looking: false);
        using var preview = Cv2.ImDecode(state.RenderPreview("cam", blurFaces: false)!, ImreadModes.Color);
        // The left edge of each box, half-way down (below the label): green for the looking face, pink (more red than green) for the other.
        var looking = preview.At<Vec3b>(320, 200);
        var away = preview.At<Vec3b>(320, 800);
        Assert.True(looking.Item1 > 150 && looking.Item2 < 120, $"looking box {looking}");
        Assert.True(away.Item2 > 150 && away.Item1 < 150, $"turned-away box {away}");
    }

    [Theory]
    [InlineData("http://127.0.0.1:9464", true)]
    [InlineData("http://localhost:9464", true)]
    [InlineData("http://[::1]:9464", true)]
    [InlineData("http://0.0.0.0:9464", false)]
    [InlineData("http://*:9464", false)]
    [InlineData("http://127.0.0.1:9464;http://192.168.1.20:9464", false)]
    public void Faces_are_blurred_by_default_when_the_page_is_reachable_beyond_this_machine(string urls, bool loopbackOnly)
    {
        Assert.Equal(loopbackOnly, LiveViewOptions.AllLoopback(urls));
        Assert.Equal(!loopbackOnly, new LiveViewOptions().ShouldBlur(urls));
        Assert.False(new LiveViewOptions { BlurFaces = false }.ShouldBlur(urls));
    }

    private static double Detail(Mat image, Rect rect)
    {
        using var region = new Mat(image, rect);
        using var gray = new Mat();
        Cv2.CvtColor(region, gray, ColorConversionCodes.BGR2GRAY);
        using var lap = new Mat();
        Cv2.Laplacian(gray, lap, MatType.CV_64F);
        Cv2.MeanStdDev(lap, out _, out var std);
        return std.Val0;
    }
}
