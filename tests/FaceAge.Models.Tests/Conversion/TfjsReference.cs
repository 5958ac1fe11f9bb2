using System.Diagnostics;
using System.Text.Json;
using FaceAge.Testing;

namespace FaceAge.Models.Tests.Conversion;

/// <summary>Runs an original TF.js model in Node (@tensorflow/tfjs, CPU backend) on given inputs: a graph model, or face-api's age/gender network.</summary>
public static class TfjsReference
{
    public static string Directory => Path.Combine(RepoPaths.Root, "tests", "reference", "tfjs");

    public sealed record Output(string Name, int[] Shape, float[] Values);

    public static IReadOnlyList<Output> Run(string modelJson, float[] input, long[] shape, IReadOnlyList<string> outputs)
        => Run("run-graph-model.js", input, inputPath => new { model = modelJson, input = inputPath, shape, outputs });

    /// <summary>face-api's own AgeGenderNet on 112×112 RGB inputs: outputs "age", "gender", "features".</summary>
    public static IReadOnlyList<Output> RunFaceApiAgeGender(string modelDirectory, float[] input, long[] shape)
        => Run("run-face-api.js", input, inputPath => new { modelDir = modelDirectory, input = inputPath, shape });

    private static IReadOnlyList<Output> Run(string script, float[] input, Func<string, object> request)
    {
        if (!System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "@tensorflow", "tfjs")))
            throw new InvalidOperationException($"@tensorflow/tfjs is not installed: run `npm ci` in {Directory} (./build.sh setup does it).");
        var work = Path.Combine(Path.GetTempPath(), "faceage-tfjs-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(work);
        try
        {
            var inputPath = Path.Combine(work, "input.f32");
            File.WriteAllBytes(inputPath, System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.AsSpan()).ToArray());
            var requestPath = Path.Combine(work, "request.json");
            var fields = JsonSerializer.SerializeToNode(request(inputPath))!.AsObject();
            fields["outDir"] = work;
            File.WriteAllText(requestPath, fields.ToJsonString());

            var psi = new ProcessStartInfo("node", [Path.Combine(Directory, script), requestPath])
            {
                WorkingDirectory = Directory,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"TF.js reference failed: {stderr.Result}");

            using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "outputs.json")));
            return index.RootElement.EnumerateArray().Select(o => new Output(
                o.GetProperty("name").GetString()!,
                o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(o.GetProperty("file").GetString()!)).ToArray())).ToList();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
