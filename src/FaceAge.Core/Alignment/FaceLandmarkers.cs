using FaceAge.Core.Detection;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;

namespace FaceAge.Core.Alignment;

/// <summary>Every landmark finder FaceAge can run, by name (docs/accuracy.md, "Face verification", compares them).</summary>
public static class FaceLandmarkers
{
    /// <summary>The one `faceage compare` and `bench verify` use unless told otherwise.</summary>
    public const string Default = Landmark68Model.Name;

    private static readonly Dictionary<string, Func<string, OnnxSessionFactory, IFaceLandmarker>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [Landmark68Model.Name] = (models, sessions) => new Landmark68Model(sessions.Create(ModelDirectory.Require(models, Landmark68Model.File))),
        // BlazeFace's back model run again on the region around each face: six points, the mouth's centre only.
        [BlazeFaceLandmarker.Name] = (models, sessions) => new BlazeFaceLandmarker(DetectorRegistry.Create(
            new DetectorOptions { Kind = BlazeFaceDetector.BackDefinition.Name, Tiles = 1, ScoreThreshold = 0.5f }, models, sessions)),
    };

    public static IEnumerable<string> Names => Factories.Keys;

    public static IFaceLandmarker Create(string name, string modelsDirectory, OnnxSessionFactory sessions)
        => Factories.TryGetValue(name, out var create)
            ? create(modelsDirectory, sessions)
            : throw new ArgumentException($"Unknown landmark finder '{name}' (known: {string.Join(", ", Names)}).");
}
