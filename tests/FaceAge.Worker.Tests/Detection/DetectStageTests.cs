using System.Threading.Channels;
using FaceAge.Core.Detection;
using FaceAge.Core.Sources;
using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Detection;
using FaceAge.Worker.Metrics;
using OpenCvSharp;

namespace FaceAge.Worker.Tests.Detection;

/// <summary>The detect stage in-process with a detector that finds nothing, behind a gate the test holds.</summary>
public class DetectStageTests
{
    private sealed class CountingDetector : IFaceDetector
    {
        public int Runs;
        public string Name => "counting";
        public (int Width, int Height) InputSize => (32, 24);
        public IReadOnlyList<FaceDetection> Detect(DetectorImage image)
        {
            Interlocked.Increment(ref Runs);
            return [];
        }
        public void Dispose() { }
    }

    private static CameraFrame Frame(long sequence)
        => new("cam", new VideoFrame(new Mat(24, 32, MatType.CV_8UC3, Scalar.All(90)), sequence, TimeSpan.FromSeconds(sequence / 10.0)), sequence,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    /// <summary>Frames 0, 1, 2 arrive while the camera waits for its turn; returns the frames that came out and the drops counted.</summary>
    private static async Task<(List<long> Out, double Dropped, int Runs)> ThreeFramesWhileWaiting(bool live)
    {
        var metrics = new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry());
        var gate = new DetectorGate(1);
        using var other = gate.NewTurn();
        gate.Enter(other, CancellationToken.None); // another camera's run
        var detector = new CountingDetector();
        var stage = new DetectStage("cam", detector, gate, new PipelineOptions(), metrics, live);
        var input = Channel.CreateUnbounded<CameraFrame>();
        var output = Channel.CreateUnbounded<DetectedFrame>();
        var run = stage.RunAsync(input.Reader, output.Writer, CancellationToken.None);
        await input.Writer.WriteAsync(Frame(0));
        for (int i = 0; i < 500 && gate.Waiting == 0; i++) await Task.Delay(10);
        Assert.Equal(1, gate.Waiting);
        await input.Writer.WriteAsync(Frame(1));
        await input.Writer.WriteAsync(Frame(2));
        gate.Exit();
        input.Writer.Complete();
        await run;
        output.Writer.Complete();
        var seen = new List<long>();
        await foreach (var f in output.Reader.ReadAllAsync())
        {
            seen.Add(f.Frame.Sequence);
            f.Dispose();
        }
        return (seen, metrics.FramesDropped.WithLabels("cam", "detect").Value, detector.Runs);
    }

    [Fact]
    public async Task A_live_camera_whose_turn_comes_late_detects_its_newest_frame_and_counts_the_older_as_dropped()
    {
        var (seen, dropped, runs) = await ThreeFramesWhileWaiting(live: true);
        Assert.Equal([2L], seen);
        Assert.Equal(2, dropped);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task A_file_waits_for_its_turn_and_detects_every_frame()
    {
        var (seen, dropped, runs) = await ThreeFramesWhileWaiting(live: false);
        Assert.Equal([0L, 1L, 2L], seen);
        Assert.Equal(0, dropped);
        Assert.Equal(3, runs);
    }
}
