using System.Diagnostics;
using FaceAge.Testing;

namespace FaceAge.Cli.Tests;

/// <summary>Runs the real `faceage` program (the CLI built beside these tests) and captures its output.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

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
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(true);
        return new Result(process.ExitCode, stdout, stderr.Result);
    }

    public static Result Run(params string[] args) => RunIn(RepoPaths.Root, args);
}
