using System.Text.Json;
using System.Text.Json.Serialization;
using FaceAge.Core.Analysis;

namespace FaceAge.Cli.Commands;

/// <summary>
/// One JSON line per face. Only numbers and labels: no pixels, crops or descriptors are ever written.
/// </summary>
public sealed record FaceLine(
    string Source, long? Frame, double? TimeSeconds, int Face,
    FaceLine.BoxJson Box, double DetectionScore, double Age, double AgeUncertainty, string AgeGroup,
    string Gender, double GenderProbability, int FaceSize, double Sharpness, double Quality, double? FaceScore, bool LikelyFace)
{
    public sealed record BoxJson(int X, int Y, int Width, int Height);

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static FaceLine From(string source, long? frame, TimeSpan? time, int index, FaceResult r) => new(
        source, frame, time is { } t ? Math.Round(t.TotalSeconds, 3) : null, index,
        new BoxJson((int)r.Detection.Box.X, (int)r.Detection.Box.Y, (int)r.Detection.Box.Width, (int)r.Detection.Box.Height),
        Math.Round(r.Detection.Score, 3), r.Age, r.AgeUncertainty, r.AgeGroup,
        r.Gender == Core.Analysis.Gender.Female ? "female" : "male", r.GenderProbability, r.FaceSize, r.Sharpness, r.Quality, r.FaceScore, r.LikelyFace);

    public string ToJson() => JsonSerializer.Serialize(this, Options);
}
