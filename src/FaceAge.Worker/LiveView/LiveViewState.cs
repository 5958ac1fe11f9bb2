using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;
using FaceAge.Core.Fusion;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using OpenCvSharp;

namespace FaceAge.Worker.LiveView;

/// <summary>
/// What the local web page shows, fed by the pipeline: per camera the latest frame (downscaled, kept at
/// most every PreviewIntervalMilliseconds), its face boxes with the current estimate of each track, the
/// camera state, fps and people present; and the people who left in the last hour. Pixels stay in this
/// process: they are only served to the local page, never published or logged. It is a sink like the transports
/// (camera states, occupancy, people who left) and watches the track and fuse stages for boxes and labels.
/// </summary>
public sealed class LiveViewState(LiveViewOptions options, TimeProvider? clock = null) : IEventSink, IFrameObserver, IPersonObserver
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1), FpsWindow = TimeSpan.FromSeconds(5);
    private const int MaxRecentPersons = 100_000; // bounds memory if a camera reports absurd counts

    private sealed class CameraView
    {
        public string? Name;
        public CameraState State = CameraState.Connecting;
        public int PeopleNow;
        public readonly Queue<DateTimeOffset> FrameTimes = new();
        public Mat? Preview;
        public double PreviewScale = 1;
        public IReadOnlyList<(long TrackId, BoxF Box)> Boxes = [];
        public readonly Dictionary<long, (Gender Gender, double Age, double Spread, bool Looking)> Estimates = [];
    }

    public sealed record CameraSummary(string Id, string? Name, string State, double Fps, int PeopleNow, int FacesInPreview);
    public sealed record Summary(DateTimeOffset Time, IReadOnlyList<CameraSummary> Cameras, int PeopleNow, int LastHour,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> LastHourByAgeGroup);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly object _gate = new();
    private readonly Dictionary<string, CameraView> _cameras = new(StringComparer.Ordinal);
    private readonly Queue<(DateTimeOffset Time, string AgeGroup, string Gender)> _recent = new();

    public LiveViewOptions Options { get; } = options;

    public void AddCamera(string id, string? name)
    {
        lock (_gate) Camera(id).Name = name;
    }

    /// <summary>Called by the track stage for every frame: counts fps, and keeps the frame and boxes when the preview is due.</summary>
    public void OnFrame(string cameraId, Core.Imaging.IFrameImage frame, IEnumerable<(long TrackId, BoxF Box)> tracks, DateTimeOffset time)
    {
        if (!Options.Enabled) return;
        lock (_gate)
        {
            var cam = Camera(cameraId);
            cam.FrameTimes.Enqueue(time);
            while (cam.FrameTimes.Count > 0 && time - cam.FrameTimes.Peek() > FpsWindow) cam.FrameTimes.Dequeue();
            if (cam.Preview is not null && cam.FrameTimes.Count > 1
                && (time - _lastPreview.GetValueOrDefault(cameraId)).TotalMilliseconds < Options.PreviewIntervalMilliseconds) return;
            _lastPreview[cameraId] = time;
            double scale = Math.Min(1.0, Options.PreviewWidth / (double)frame.Width);
            var small = new Mat();
            Cv2.Resize(frame.Bgr, small, new Size((int)Math.Round(frame.Width * scale), (int)Math.Round(frame.Height * scale)), 0, 0, InterpolationFlags.Area);
            cam.Preview?.Dispose();
            cam.Preview = small;
            cam.PreviewScale = scale;
            cam.Boxes = tracks.ToList();
        }
    }

    private readonly Dictionary<string, DateTimeOffset> _lastPreview = new(StringComparer.Ordinal);

    public void OnEstimate(string cameraId, long trackId, PersonEvent current, bool? looking)
    {
        if (!Options.Enabled) return;
        lock (_gate)
            Camera(cameraId).Estimates[trackId] = (current.Gender == "male" ? Gender.Male : Gender.Female, current.Age, current.AgeUncertainty,
                looking == true);
    }

    public void OnTrackEnded(string cameraId, long trackId)
    {
        lock (_gate) Camera(cameraId).Estimates.Remove(trackId);
    }

    public string Name => "live-view";

    /// <summary>In-process: always able to take events.</summary>
    public bool Ready => true;

    public void Accept(WorkerEvent e)
    {
        switch (e)
        {
            case CameraStatusChanged c:
                lock (_gate) Camera(c.CameraId).State = c.Status.State;
                break;
            case OccupancyChanged o:
                lock (_gate) Camera(o.CameraId).PeopleNow = o.Present;
                break;
            case PersonLeft p:
                lock (_gate)
                {
                    _recent.Enqueue((_clock.GetUtcNow(), p.Person.AgeGroup, p.Person.Gender));
                    while (_recent.Count > MaxRecentPersons) _recent.Dequeue();
                }
                break;
        }
    }

    public Task RunAsync(CancellationToken drainDeadline, CancellationToken stopping) => Task.CompletedTask;

    public void Complete() { }

    public Summary Snapshot()
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            while (_recent.Count > 0 && now - _recent.Peek().Time > Hour) _recent.Dequeue();
            var cameras = _cameras.Select(kv =>
            {
                var c = kv.Value;
                bool fresh = c.FrameTimes.Count > 1 && now - c.FrameTimes.Last() < FpsWindow;
                double fps = fresh ? (c.FrameTimes.Count - 1) / Math.Max(0.001, (c.FrameTimes.Last() - c.FrameTimes.Peek()).TotalSeconds) : 0;
                return new CameraSummary(kv.Key, c.Name, c.State.ToString().ToLowerInvariant(), Math.Round(fps, 1), c.PeopleNow, c.Boxes.Count);
            }).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
            var byGroup = _recent.GroupBy(r => r.AgeGroup).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, int>)new Dictionary<string, int>
                {
                    ["female"] = g.Count(r => r.Gender == "female"),
                    ["male"] = g.Count(r => r.Gender == "male"),
                });
            return new Summary(now, cameras, cameras.Sum(c => c.PeopleNow), _recent.Count, byGroup);
        }
    }

    /// <summary>The camera's latest preview as JPEG with boxes and labels (faces blurred when asked), or null before the first frame.</summary>
    public byte[]? RenderPreview(string cameraId, bool blurFaces)
    {
        Mat image;
        List<(BoxF Box, (Gender Gender, double Age, double Spread, bool Looking)? Estimate)> faces;
        lock (_gate)
        {
            if (!_cameras.TryGetValue(cameraId, out var cam) || cam.Preview is null) return null;
            image = cam.Preview.Clone();
            float s = (float)cam.PreviewScale;
            faces = cam.Boxes.Select(b => (new BoxF(b.Box.X * s, b.Box.Y * s, b.Box.Width * s, b.Box.Height * s),
                cam.Estimates.TryGetValue(b.TrackId, out var e) ? e : ((Gender, double, double, bool)?)null)).ToList();
        }
        using (image)
        {
            if (blurFaces)
                foreach (var (box, _) in faces) Blur(image, box);
            foreach (var (box, e) in faces) ResultAnnotator.DrawFace(image, box, e?.Gender, e?.Age, e?.Spread, looking: e?.Looking == true);
            Cv2.ImEncode(".jpg", image, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 80));
            return jpeg;
        }
    }

    private static void Blur(Mat image, BoxF box)
    {
        // Pixelate rather than Gaussian-blur: a coarse mosaic cannot be sharpened back into a face.
        var rect = new Rect((int)box.X, (int)box.Y, (int)Math.Ceiling(box.Width), (int)Math.Ceiling(box.Height)) & new Rect(0, 0, image.Width, image.Height);
        if (rect.Width < 2 || rect.Height < 2) return;
        using var roi = new Mat(image, rect);
        using var tiny = new Mat();
        Cv2.Resize(roi, tiny, new Size(Math.Max(1, rect.Width / 12), Math.Max(1, rect.Height / 12)), 0, 0, InterpolationFlags.Area);
        Cv2.Resize(tiny, roi, new Size(rect.Width, rect.Height), 0, 0, InterpolationFlags.Nearest);
    }

    private CameraView Camera(string id)
    {
        if (!_cameras.TryGetValue(id, out var cam)) _cameras[id] = cam = new CameraView();
        return cam;
    }
}
