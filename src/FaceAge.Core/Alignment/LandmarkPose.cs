using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceAge.Core.Alignment;

/// <summary>
/// Head pose read from fr-landmark68's 68 points by a linear map distilled from the fr-pose network (`faceage train
/// pose`, model card models/heads/landmark-pose.md): the points are centred on their mean, turned so that the eye line
/// is level (that angle is the roll), scaled to a root-mean-square distance of 1; yaw and pitch are weighted sums of
/// the 136 coordinates. It costs a dot product once the landmarks are found, so every sample of the worker can have one.
/// </summary>
public sealed record LandmarkPose
{
    public const string Name = "landmark-pose";

    /// <summary>Where it lies under the models folder.</summary>
    public const string File = "heads/landmark-pose.json";

    public const int Features = Landmark68Model.Points * 2;

    /// <summary>The network it was distilled from, the images, and the command that made it.</summary>
    public string Teacher { get; init; } = "";
    public string TrainedOn { get; init; } = "";
    public string Command { get; init; } = "";

    /// <summary><see cref="Features"/> weights, then the intercept.</summary>
    public double[] YawWeights { get; init; } = [];
    public double[] PitchWeights { get; init; } = [];

    /// <summary>The pose of a face from its 68 points (x, y in pixels, interleaved; <see cref="Landmark68Model"/>).</summary>
    public HeadPose Estimate(ReadOnlySpan<float> points)
    {
        Span<double> features = stackalloc double[Features];
        double roll = Normalize(points, features);
        return new HeadPose(Apply(YawWeights, features), Apply(PitchWeights, features), roll);
    }

    /// <summary>
    /// Writes the normalised coordinates of <paramref name="points"/> into <paramref name="features"/> and returns the roll
    /// (degrees; &gt; 0 when the eye line falls to the image's right, the face leaning clockwise).
    /// </summary>
    public static double Normalize(ReadOnlySpan<float> points, Span<double> features)
    {
        if (points.Length != Features) throw new ArgumentException($"{Landmark68Model.Points} points expected.", nameof(points));
        if (features.Length != Features) throw new ArgumentException($"{Features} features expected.", nameof(features));
        // The subject's right eye is the image's left one.
        var eyes = Landmark68Model.FivePoints(points);
        double angle = Math.Atan2(eyes.LeftEye.Y - eyes.RightEye.Y, eyes.LeftEye.X - eyes.RightEye.X);
        double cx = 0, cy = 0;
        for (int p = 0; p < Landmark68Model.Points; p++)
        {
            cx += points[2 * p];
            cy += points[2 * p + 1];
        }
        cx /= Landmark68Model.Points;
        cy /= Landmark68Model.Points;
        double cos = Math.Cos(-angle), sin = Math.Sin(-angle), squares = 0;
        for (int p = 0; p < Landmark68Model.Points; p++)
        {
            double x = points[2 * p] - cx, y = points[2 * p + 1] - cy;
            features[2 * p] = x * cos - y * sin;
            features[2 * p + 1] = x * sin + y * cos;
            squares += x * x + y * y;
        }
        double scale = Math.Sqrt(squares / Landmark68Model.Points);
        if (scale > 0)
            for (int i = 0; i < Features; i++) features[i] /= scale;
        return angle * 180 / Math.PI;
    }

    private static double Apply(double[] weights, ReadOnlySpan<double> features)
    {
        if (weights.Length != Features + 1) throw new InvalidDataException($"{File}: {Features + 1} weights expected per angle, not {weights.Length}.");
        double sum = weights[Features];
        for (int i = 0; i < Features; i++) sum += weights[i] * features[i];
        return sum;
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Reads the map; an error names the file.</summary>
    public static LandmarkPose Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"Head-pose map not found: {path}", path);
        try
        {
            var pose = JsonSerializer.Deserialize<LandmarkPose>(System.IO.File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty head-pose map.");
            if (pose.YawWeights.Length != Features + 1 || pose.PitchWeights.Length != Features + 1)
                throw new InvalidDataException($"{path}: {Features + 1} yaw and pitch weights expected.");
            return pose;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a head-pose map ({e.Message}).", e);
        }
    }

    public void Save(string path) => System.IO.File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
}
