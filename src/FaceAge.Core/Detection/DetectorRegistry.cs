using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;

namespace FaceAge.Core.Detection;

/// <summary>
/// What FaceAge knows of one detector: its name in settings (Detector:Kind), the model file it uses unless told
/// otherwise, how to build it on a model session, what of its options it checks, and a line of help.
/// </summary>
/// <param name="Validate">Checks specific to this detector (key prefix given), beyond <see cref="DetectorOptions.Validate"/>.</param>
public sealed record DetectorDefinition(
    string Name, string DefaultModelFile, string Description,
    Func<ModelSession, DetectorOptions, IFaceDetector> Create,
    Func<DetectorOptions, string, IEnumerable<string>>? Validate = null);

/// <summary>
/// Every detector, in one place: a new detector is its own file (with a static <see cref="DetectorDefinition"/>)
/// plus one line in <see cref="All"/>. Settings, the CLI's help and the benches read the list from here.
/// </summary>
public static class DetectorRegistry
{
    public static readonly IReadOnlyList<DetectorDefinition> All =
    [
        UltraFaceDetector.Definition,
        BlazeFaceDetector.BackDefinition,
        BlazeFaceDetector.FrontDefinition,
        YuNetDetector.Definition,
    ];

    public static DetectorDefinition? Find(string? name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    public static IEnumerable<string> Names => All.Select(d => d.Name);

    /// <summary>"UltraFace (…), BlazeFaceBack (…)" for help texts.</summary>
    public static string Help => string.Join("; ", All.Select(d => $"{d.Name}: {d.Description}"));

    /// <summary>Builds the configured detector (tiled when Tiles &gt; 1) on a session of its model file.</summary>
    public static IFaceDetector Create(DetectorOptions options, string modelsDirectory, OnnxSessionFactory sessions)
    {
        var errors = options.Validate().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
        var definition = Find(options.Kind)!;
        var path = string.IsNullOrWhiteSpace(options.ModelPath)
            ? ModelDirectory.Require(modelsDirectory, definition.DefaultModelFile)
            : Path.IsPathRooted(options.ModelPath) ? options.ModelPath : Path.Combine(modelsDirectory, options.ModelPath);
        var session = sessions.Create(path);
        try
        {
            var detector = definition.Create(session, options);
            return options.Tiles > 1 ? new TiledFaceDetector(detector, options.Tiles, 0.25f, options.NmsThreshold) : detector;
        }
        catch (InvalidDataException e)
        {
            session.Dispose();
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
