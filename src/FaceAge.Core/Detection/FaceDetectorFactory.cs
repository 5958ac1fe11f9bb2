using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;

namespace FaceAge.Core.Detection;

public static class FaceDetectorFactory
{
    public static IFaceDetector Create(DetectorOptions options, string modelsDirectory, OnnxSessionFactory sessions)
    {
        var errors = options.Validate().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
        var path = string.IsNullOrWhiteSpace(options.ModelPath)
            ? ModelDirectory.Require(modelsDirectory, options.DefaultModelFile)
            : Path.IsPathRooted(options.ModelPath) ? options.ModelPath : Path.Combine(modelsDirectory, options.ModelPath);
        var session = sessions.Create(path);
        try
        {
            IFaceDetector detector = options.Kind switch
            {
                DetectorKind.UltraFace => new UltraFaceDetector(session, options),
                DetectorKind.BlazeFaceBack => new BlazeFaceDetector(session, options, backModel: true),
                DetectorKind.BlazeFaceFront => new BlazeFaceDetector(session, options, backModel: false),
                DetectorKind.YuNet => new YuNetDetector(session, options),
                _ => throw new ArgumentOutOfRangeException(nameof(options), $"Detector:Kind '{options.Kind}' is unknown."),
            };
            return options.Tiles > 1 ? new TiledFaceDetector(detector, options.Tiles, 0.25f, options.NmsThreshold) : detector;
        }
        catch (InvalidDataException e)
        {
            session.Dispose();
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
