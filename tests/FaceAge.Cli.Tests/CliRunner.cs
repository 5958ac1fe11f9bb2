using System.Diagnostics;
using FaceAge.Testing;

namespace FaceAge.Cli.Tests;

/// <summary>Runs the real `faceage` program (the CLI built beside these tests) and captures its output.</summary>
public static class CliRunner
{
    /// <param name="PeakRssMiB">The process's peak resident memory (VmHWM), read while it ran; 0 where /proc is missing.</param>
    public sealed record Result(int ExitCode, string Stdout, string Stderr, double PeakRssMiB = 0);

    /// <param name="emulator">Runs dotnet under this program and its arguments (e.g. qemu-x86_64 -cpu Haswell).</param>
    /// <param name="environment">Extra environment variables (e.g. FACEAGE_Analysis__AgeGenderModel).</param>
    public static Result RunIn(
        string workingDirectory, string[] args, string[]? emulator = null, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "faceage.dll");
        var psi = emulator is [var program, .. var options]
            ? new ProcessStartInfo(program, [.. options, DotnetHost(), dll, .. args])
            : new ProcessStartInfo("dotnet", [dll, .. args]);
        psi.WorkingDirectory = workingDirectory;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.Environment["FACEAGE_MODELS"] = RepoPaths.Models;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) psi.Environment[key] = value;
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        double peak = 0;
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(5));
        while (!process.WaitForExit(100) && DateTime.UtcNow < deadline)
        {
            try
            {
                var hwm = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (hwm is not null)
                {
                    var kib = double.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
                    peak = Math.Max(peak, kib / 1024);
                }
            }
            catch (IOException) { }
        }
        if (!process.HasExited) process.Kill(true);
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result, peak);
    }

    public static Result Run(params string[] args) => RunIn(RepoPaths.Root, args);

    /// <summary>The real dotnet executable (an emulator needs the file, not the PATH shim or a symlink).</summary>
    private static string DotnetHost()
    {
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } r
            ? r
            : Path.GetDirectoryName(typeof(object).Assembly.Location)!.Split("/shared/")[0];
        var host = Path.Combine(root, "dotnet");
        return File.Exists(host) ? host : "/usr/share/dotnet/dotnet";
    }
}
