using System.Text.Json;
using System.Text.Json.Serialization;
using FaceAge.Core.Fusion;
using FaceAge.Worker.Capture;

namespace FaceAge.Worker.Publishing;

/// <summary>
/// MQTT payloads (schemas in docs/mqtt.md). Only anonymous numbers and labels: no pixels, crops or descriptors.
/// </summary>
public static class Payloads
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public sealed record PersonMessage(
        string PersonId, string Camera, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, double DwellSeconds,
        double Age, double AgeUncertainty, string AgeGroup, string Gender, double GenderProbability,
        int Samples, double MeanFaceSize, bool Final);

    public sealed record StatsMessage(
        string Camera, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int PeopleSeen, int Occupancy,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Counts, double? MeanDwellSeconds);

    public sealed record CameraStatusMessage(string Camera, string? Name, CameraState State, string? Reason, DateTimeOffset Since);

    public sealed record WorkerStatusMessage(string State, int Cameras, DateTimeOffset Since);

    public sealed record OccupancyMessage(string Camera, int Present, DateTimeOffset Time);

    public static PersonMessage Person(PersonEvent e, bool final) => new(
        e.PersonId, e.CameraId, e.FirstSeen, e.LastSeen, e.DwellSeconds, e.Age, e.AgeUncertainty, e.AgeGroup,
        e.Gender, e.GenderProbability, e.Samples, e.MeanFaceSize, final);

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);
}

/// <summary>Topic names under the configured prefix. A sharded replica has a worker status topic of its own.</summary>
public sealed class Topics(string prefix, int? replica = null)
{
    public string Person(string camera) => $"{prefix}/{camera}/person";
    public string Stats(string camera) => $"{prefix}/{camera}/stats";
    public string CameraStatus(string camera) => $"{prefix}/{camera}/status";
    public string Occupancy(string camera) => $"{prefix}/{camera}/occupancy";
    public string WorkerStatus => replica is { } k ? $"{prefix}/status/replica-{k}" : $"{prefix}/status";
}
