using System.Diagnostics;
using FaceAge.Testing;

namespace FaceAge.Worker.Tests.Deploy;

/// <summary>What a user installs: the worker's publish output carries the runtime, not the offline tools.</summary>
public class PublishOutputTests
{
    [Fact]
    public async Task The_worker_publish_output_holds_no_training_evaluation_or_model_conversion_assemblies()
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var output = Directory.CreateTempSubdirectory("faceage-publish").FullName;
        try
        {
            var psi = new ProcessStartInfo("dotnet",
                ["publish", Path.Combine(RepoPaths.Root, "src", "FaceAge.Worker", "FaceAge.Worker.csproj"), "-c", configuration, "--no-build", "-o", output,
                "-nologo"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var publish = Process.Start(psi)!;
            var log = publish.StandardOutput.ReadToEndAsync();
            var errors = publish.StandardError.ReadToEndAsync();
            await publish.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);
            Assert.True(publish.ExitCode == 0, $"dotnet publish failed: {await log}{await errors}");

            var files = Directory.GetFiles(output).Select(Path.GetFileName).ToList();
            Assert.Contains("faceage-worker.dll", files);
            Assert.Contains("FaceAge.Core.dll", files);
            foreach (var tool in new[] { "FaceAge.Training.dll", "FaceAge.Models.dll", "faceage.dll", "Google.Protobuf.dll", "ScottPlot.dll" })
                Assert.DoesNotContain(tool, files);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
