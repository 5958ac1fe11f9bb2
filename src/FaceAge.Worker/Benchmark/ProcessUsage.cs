using System.Diagnostics;

namespace FaceAge.Worker.Benchmark;

/// <summary>What the worker process, its ffmpeg readers and the machine spent over the measured time, per second.</summary>
internal sealed record ProcessUsage(
    double Seconds, double WorkerCores, double FfmpegCores, double AllocatedMiBPerSecond, double GcPauseShare, double JitCores,
    double MachineBusyShare, double PeakRssMiB)
{
    /// <summary>Started at the beginning of the measured time; <see cref="Stop"/> gives the usage since.</summary>
    public sealed class Meter
    {
        private readonly Process _process = Process.GetCurrentProcess();
        private readonly TimeSpan _cpu, _paused, _jit;
        private readonly (double Busy, double Total) _machine;
        private readonly double _children;
        private readonly long _allocated;
        private readonly Stopwatch _clock;

        public Meter()
        {
            _cpu = _process.TotalProcessorTime;
            _machine = Metrics.MachineCpuTime.Read();
            _children = CpuClock.ChildrenSeconds();
            _allocated = GC.GetTotalAllocatedBytes();
            _paused = GC.GetTotalPauseDuration();
            _jit = System.Runtime.JitInfo.GetCompilationTime();
            _clock = Stopwatch.StartNew();
        }

        public double ElapsedSeconds => _clock.Elapsed.TotalSeconds;

        public ProcessUsage Stop()
        {
            double wall = _clock.Elapsed.TotalSeconds;
            _process.Refresh();
            var machine = Metrics.MachineCpuTime.Read();
            double machineTotal = machine.Total - _machine.Total;
            return new ProcessUsage(
                wall,
                WorkerCores: (_process.TotalProcessorTime - _cpu).TotalSeconds / wall,
                FfmpegCores: (CpuClock.ChildrenSeconds() - _children) / wall,
                AllocatedMiBPerSecond: (GC.GetTotalAllocatedBytes() - _allocated) / 1048576.0 / wall,
                GcPauseShare: (GC.GetTotalPauseDuration() - _paused).TotalSeconds / wall,
                JitCores: (System.Runtime.JitInfo.GetCompilationTime() - _jit).TotalSeconds / wall,
                MachineBusyShare: machineTotal > 0 ? (machine.Busy - _machine.Busy) / machineTotal : double.NaN,
                PeakRssMiB: _process.PeakWorkingSet64 / 1048576.0);
        }
    }
}
