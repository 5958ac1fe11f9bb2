using System.Text.Json;
using System.Text.Json.Serialization;
using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Detection;

namespace FaceAge.Cli.Commands;

/// <summary>
/// One JSON line per face. Only numbers and labels: no pixels, crops or descriptors are ever written. Yaw, pitch and
/// roll (degrees, <see cref="HeadPose"/>) come from the face's 68 landmarks when they were found.
/// </summary>
public sealed record FaceLine(
    string Source, long? Frame, double? TimeSeconds, int Face,
    FaceLine.BoxJson Box, double DetectionScore, double Age, double AgeUncertainty, string AgeGroup,
    string Gender, double GenderProbability, int FaceSize, double Sharpness, double Quality, double? FaceScore, bool LikelyFace,
    double? Yaw = null, double? Pitch = null, double? Roll = null)
{
    /// <summary>A face box in whole pixels (also in the pair lines of `faceage compare`).</summary>
    public sealed record BoxJson(int X, int Y, int Width, int Height)
    {
        public static BoxJson Of(FaceDetection d) => new((int)d.Box.X, (int)d.Box.Y, (int)d.Box.Width, (int)d.Box.Height);
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static FaceLine From(string source, long? frame, TimeSpan? time, int index, FaceResult r, HeadPose? pose = null) => new(
        source, frame, time is { } t ? Math.Round(t.TotalSeconds, 3) : null, index,
        BoxJson.Of(r.Detection), Math.Round(r.Detection.Score, 3), r.Age, r.AgeUncertainty, r.AgeGroup,
        r.Gender == Core.Analysis.Gender.Female ? "female" : "male", r.GenderProbability, r.FaceSize, r.Sharpness, r.Quality, r.FaceScore,
        r.LikelyFace, Round(pose?.Yaw), Round(pose?.Pitch), Round(pose?.Roll));

    private static double? Round(double? degrees) => degrees is { } d ? Math.Round(d, 1) : null;

    public string ToJson() => JsonSerializer.Serialize(this, Options);
}
