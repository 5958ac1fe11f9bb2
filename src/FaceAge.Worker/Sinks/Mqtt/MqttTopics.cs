using FaceAge.Worker.Events;

namespace FaceAge.Worker.Sinks.Mqtt;

/// <summary>Topic names under the configured prefix, and which events are retained state. A sharded replica has a worker status topic of its own.</summary>
public sealed class MqttTopics(string prefix, int? replica = null)
{
    public string Person(string camera) => $"{prefix}/{camera}/person";
    public string Stats(string camera) => $"{prefix}/{camera}/stats";
    public string CameraStatus(string camera) => $"{prefix}/{camera}/status";
    public string Occupancy(string camera) => $"{prefix}/{camera}/occupancy";
    public string WorkerStatus => replica is { } k ? $"{prefix}/status/replica-{k}" : $"{prefix}/status";

    /// <summary>The topic of an event and whether it is retained (states are; persons and stats are news).</summary>
    public (string Topic, bool Retain) For(WorkerEvent e) => e switch
    {
        PersonLeft p => (Person(p.CameraId), false),
        PersonUpdated p => (Person(p.CameraId), false),
        WindowStats s => (Stats(s.CameraId), false),
        OccupancyChanged o => (Occupancy(o.CameraId), true),
        CameraStatusChanged c => (CameraStatus(c.CameraId), true),
        WorkerStatusChanged => (WorkerStatus, true),
        _ => throw new ArgumentOutOfRangeException(nameof(e), $"no topic for {e.GetType().Name}"),
    };

    /// <summary>The "kind" label of faceage_mqtt_published_total (camera and worker status share "status").</summary>
    public static string MetricKind(WorkerEvent e) => e is CameraStatusChanged or WorkerStatusChanged ? "status" : e.Kind;
}
