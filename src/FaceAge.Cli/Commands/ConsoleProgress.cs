using System.Diagnostics;

namespace FaceAge.Cli.Commands;

/// <summary>Progress with ETA on stderr: a redrawn bar on a terminal, a line every 10 % otherwise.</summary>
public sealed class ConsoleProgress(string label, int total)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private int _lastDecile = -1;
    private long _lastDrawMs = -1000;

    public void Report(int done)
    {
        if (total <= 0) return;
        double fraction = Math.Min(1, (double)done / total);
        var elapsed = _clock.Elapsed;
        var eta = done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - done)) : TimeSpan.Zero;
        if (_interactive)
        {
            if (_clock.ElapsedMilliseconds - _lastDrawMs < 200 && done < total) return;
            _lastDrawMs = _clock.ElapsedMilliseconds;
            int width = 30, filled = (int)(fraction * width);
            Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {fraction:P0} ETA {eta:mm\\:ss} ");
            if (done >= total) Console.Error.WriteLine();
        }
        else
        {
            int decile = (int)(fraction * 10);
            if (decile == _lastDecile) return;
            _lastDecile = decile;
            Console.Error.WriteLine($"{label}: {done}/{total} ({fraction:P0}), elapsed {elapsed:mm\\:ss}, ETA {eta:mm\\:ss}");
        }
    }
}
