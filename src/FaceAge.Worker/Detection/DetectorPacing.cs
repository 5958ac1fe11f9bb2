using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Detection;

/// <summary>
/// Keeps the machine's CPU below Pipeline:MachineCpuTarget by pacing the detector (<see cref="DetectorGate.Duty"/>).
/// Under overload the detector, one thread per gate slot running back to back, takes whatever the estimate thread and
/// the ffmpeg decoders leave; then every stage waits for a core and latency grows by hundreds of milliseconds
/// (16 cameras on 2 cores, docs/benchmarks.md). Paced, the detector takes less, the gate drops the frames it did not
/// reach (fairly, counted), and the rest of the pipeline keeps its speed. Once a second, on the machine's busy share
/// smoothed over about 3 s (a second of a few decoders starting is not overload): above the target, while cameras queue
/// for the detector, the duty falls in proportion to the excess; 5 points below the target, or with no camera
/// queueing, it rises by 0.1 up to 1 (unpaced). A machine busy with other work does not slow a detector that keeps up.
/// </summary>
public sealed class DetectorPacing(DetectorGate gate, double targetShare)
{
    /// <summary>The lowest duty: some detection always goes on, whatever else loads the machine.</summary>
    public const double MinDuty = 0.25;

    /// <summary>
    /// Adjusts the gate's duty to the machine's busy share (0–1) over the last interval, and whether cameras queued for
    /// the detector in it; returns the new duty.
    /// </summary>
    public double Update(double machineBusyShare, bool camerasQueued)
    {
        double duty = gate.Duty;
        if (camerasQueued && machineBusyShare > targetShare) duty *= Math.Max(0.5, 1 - 2 * (machineBusyShare - targetShare));
        else if (!camerasQueued || machineBusyShare < targetShare - 0.05) duty += 0.1;
        gate.Duty = Math.Clamp(duty, MinDuty, 1);
        return gate.Duty;
    }

    /// <summary>
    /// Once a second until cancelled: the machine's busy share from /proc/stat and the gate's queueing, <see cref="Update"/>, the duty to
    /// faceage_detector_duty; changes between paced and unpaced are logged (debug). Returns at once where there is no /proc/stat.
    /// </summary>
    public async Task RunAsync(WorkerMetrics metrics, ILogger logger, CancellationToken cancellationToken)
    {
        var last = MachineCpuTime.Read();
        if (last.Total <= 0) return;
        long queued = gate.Queued;
        double smoothed = 0;
        metrics.DetectorDuty.Set(gate.Duty);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = MachineCpuTime.Read();
                double total = now.Total - last.Total;
                if (total <= 0) continue;
                double busy = (now.Busy - last.Busy) / total, before = gate.Duty;
                smoothed += (busy - smoothed) / 3;
                long queuedNow = gate.Queued;
                double duty = Update(smoothed, queuedNow > queued);
                (last, queued) = (now, queuedNow);
                metrics.DetectorDuty.Set(duty);
                if (before >= 1 && duty < 1)
                    logger.LogDebug("Machine CPU at {Busy:P0}, above Pipeline:MachineCpuTarget: the detector is paced (frames it does not reach are dropped)",
                        smoothed);
                else if (before < 1 && duty >= 1)
                    logger.LogDebug("Machine CPU at {Busy:P0}: the detector runs unpaced again", smoothed);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
