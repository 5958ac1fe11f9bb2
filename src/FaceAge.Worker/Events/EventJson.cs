using System.Text.Json;
using System.Text.Json.Serialization;
using FaceAge.Core.Audience;
using FaceAge.Core.Fusion;

namespace FaceAge.Worker.Events;

/// <summary>
/// The JSON document of each event (schemas in docs/mqtt.md; the webhook wraps the same documents, docs/webhook.md).
/// Only anonymous numbers and labels: no pixels, crops or descriptors.
/// </summary>
public static class EventJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public sealed record PersonDocument(
        string PersonId, string Camera, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, double DwellSeconds,
        double Age, double AgeUncertainty, string AgeGroup, string Gender, double GenderProbability,
        int Samples, double MeanFaceSize, bool Final, double? AttentionSeconds = null, bool? Viewer = null, double? LongestLookSeconds = null);

    /// <summary>
    /// The stats message's schema: 2 added the expected counts and their intervals, 3 the attention figures (docs/mqtt.md);
    /// every field of the earlier ones is kept.
    /// </summary>
    public const int StatsSchema = 3;

    public sealed record StatsDocument(
        string Camera, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int PeopleSeen, int Occupancy,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Counts, double? MeanDwellSeconds, int Schema,
        FiguresDocument? Expected, FiguresDocument? Corrected, AttentionDocument? Attention = null);

    /// <summary>Who looked in the window: overall, by age group and by gender.</summary>
    public sealed record AttentionDocument(
        AttentionFigures Overall, IReadOnlyDictionary<string, AttentionFigures> AgeGroups, IReadOnlyDictionary<string, AttentionFigures> Gender);

    private static AttentionDocument Attention(AttentionTally t) => new(t.Overall, t.ByAgeGroup, t.ByGender);

    /// <summary>An expected count, its share of the window's people and the share's 90 % interval.</summary>
    public sealed record ShareDocument(double Count, double Share, double Low, double High);

    /// <summary>Shares by age group and by gender, and expected people by age group and gender.</summary>
    public sealed record FiguresDocument(
        IReadOnlyDictionary<string, ShareDocument> AgeGroups, IReadOnlyDictionary<string, ShareDocument> Gender,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Counts);

    public static FiguresDocument Figures(AudienceFigures f) => new(
        f.AgeGroups.ToDictionary(g => g.Group, g => Share(g.Estimate)),
        new Dictionary<string, ShareDocument> { ["female"] = Share(f.Female), ["male"] = Share(f.Male) },
        f.Counts.ToDictionary(c => c.Group, c => (IReadOnlyDictionary<string, double>)new Dictionary<string, double>
        {
            ["female"] = Math.Round(c.Female, 2),
            ["male"] = Math.Round(c.Male, 2),
        }));

    private static ShareDocument Share(ShareEstimate e) => new(Math.Round(e.Count, 2), Math.Round(e.Share, 3), Math.Round(e.Low, 3), Math.Round(e.High, 3));

    public sealed record CameraStatusDocument(string Camera, string? Name, CameraState State, string? Reason, DateTimeOffset Since);

    public sealed record WorkerStatusDocument(string State, int Cameras, DateTimeOffset Since);

    public sealed record OccupancyDocument(string Camera, int Present, DateTimeOffset Time);

    /// <summary>The event's document as an object (for wrapping).</summary>
    public static object Document(WorkerEvent e) => e switch
    {
        PersonLeft p => Person(p.Person, final: true),
        PersonUpdated p => Person(p.Person, final: false),
        WindowStats s => new StatsDocument(s.Camera, s.WindowStart, s.WindowEnd, s.PeopleSeen, s.Occupancy, s.Counts, s.MeanDwellSeconds, StatsSchema,
            s.Expected is { } expected ? Figures(expected) : null, s.Corrected is { } corrected ? Figures(corrected) : null,
            s.Attention is { } attention ? Attention(attention) : null),
        OccupancyChanged o => new OccupancyDocument(o.Camera, o.Present, o.Time),
        CameraStatusChanged c => new CameraStatusDocument(c.Status.CameraId, c.CameraName, c.Status.State, c.Status.Reason, c.Status.Since),
        WorkerStatusChanged w => new WorkerStatusDocument(w.State, w.Cameras, w.Time),
        _ => throw new ArgumentOutOfRangeException(nameof(e), $"no document for {e.GetType().Name}"),
    };

    public static byte[] Serialize(WorkerEvent e)
    {
        var document = Document(e);
        return JsonSerializer.SerializeToUtf8Bytes(document, document.GetType(), Options);
    }

    private static PersonDocument Person(PersonEvent e, bool final) => new(
        e.PersonId, e.CameraId, e.FirstSeen, e.LastSeen, e.DwellSeconds, e.Age, e.AgeUncertainty, e.AgeGroup,
        e.Gender, e.GenderProbability, e.Samples, e.MeanFaceSize, final, e.AttentionSeconds, e.Viewer, e.LongestLookSeconds);
}
