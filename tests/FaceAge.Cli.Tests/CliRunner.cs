using System.Diagnostics;
using FaceAge.Testing;

namespace FaceAge.Cli.Tests;

/// <summary>Runs the real `faceage` program (the CLI built beside these tests) and captures its output.</summary>
public static class CliRunner
{
    /// <param name="PeakRssMiB">The process's peak resident memory (VmHWM), read while it ran; 0 where /proc is missing.</param>
    public sealed record Result(int ExitCode, string Stdout, string Stderr, double PeakRssMiB = 0);

    public static Result RunIn(string workingDirectory, string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "faceage.dll");
        var psi = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["FACEAGE_MODELS"] = RepoPaths.Models;
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        double peak = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (!process.WaitForExit(100) && DateTime.UtcNow < deadline)
        {
            try
            {
                var hwm = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (hwm is not null) peak = Math.Max(peak, double.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024);
            }
            catch (IOException) { }
        }
        if (!process.HasExited) process.Kill(true);
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result, peak);
    }

    public static Result Run(params string[] args) => RunIn(RepoPaths.Root, args);
}
