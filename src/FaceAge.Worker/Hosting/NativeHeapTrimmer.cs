namespace FaceAge.Worker.Hosting;

/// <summary>Hands the C heap's free pages back to the OS every <see cref="NativeHeap.TrimInterval"/> while the worker
/// runs (why: <see cref="NativeHeap"/>).</summary>
public sealed class NativeHeapTrimmer : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => NativeHeap.TrimPeriodicallyAsync(stoppingToken);
}
