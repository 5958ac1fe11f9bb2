using FaceAge.Testing;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Deploy;

/// <summary>deploy/systemd/faceage.service passes systemd's own checker (with ExecStart pointed at a program that exists here).</summary>
public class SystemdUnitTests
{
    [Fact]
    public async Task Unit_file_passes_systemd_analyze_verify_and_runs_unprivileged_with_restarts()
    {
        var unit = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "systemd", "faceage.service"));
        Assert.Contains("User=faceage", unit);
        Assert.Contains("Restart=on-failure", unit);
        Assert.Contains("NoNewPrivileges=true", unit);
        Assert.Contains("CapabilityBoundingSet=\n", unit);
        Assert.True(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is missing (Debian's systemd package)");

        // The installed binary is not here; everything else is checked as written.
        var dir = Directory.CreateTempSubdirectory("faceage-unit").FullName;
        var copy = Path.Combine(dir, "faceage.service");
        File.WriteAllText(copy, unit.Replace("ExecStart=/opt/faceage/faceage-worker", "ExecStart=/bin/true"));
        using var verify = new ChildProcess("/usr/bin/systemd-analyze", ["verify", copy], dir);
        var exit = await verify.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0 && verify.Output.Trim().Length == 0, $"systemd-analyze verify: exit {exit}: {verify.Output}");
    }
}
