using FaceAge.Core.Audience;
using FaceAge.Core.Fusion;

namespace FaceAge.Worker.Events;

/// <summary>
/// What the pipeline tells the outside world, whatever the transport: anonymous numbers and states only. Each sink
/// (MQTT, webhook, the live page) turns these into its own messages.
/// </summary>
public abstract record WorkerEvent(DateTimeOffset Time)
{
    /// <summary>The camera the event is about; null for the worker's own status.</summary>
    public abstract string? CameraId { get; }

    /// <summary>The event's kind, as metrics label and webhook "event" field: person, person_update, stats, occupancy, camera_status, worker_status.</summary>
    public abstract string Kind { get; }
}

/// <summary>A person left (and did not come back within the re-entry window): their final estimate.</summary>
public sealed record PersonLeft(PersonEvent Person, DateTimeOffset Time) : WorkerEvent(Time)
{
    public override string CameraId => Person.CameraId;
    public override string Kind => "person";
}

/// <summary>The current estimate of a person who is still present (Pipeline:PersonUpdateSeconds).</summary>
public sealed record PersonUpdated(PersonEvent Person, DateTimeOffset Time) : WorkerEvent(Time)
{
    public override string CameraId => Person.CameraId;
    public override string Kind => "person_update";
}

/// <summary>
/// People who left a camera during one statistics window: hard counts by age group and gender (each person where they
/// most likely belong), the expected counts and shares with 90 % intervals from their probabilities, and those corrected
/// for the estimator's measured confusion when Statistics:Correct is on. <see cref="Audience"/> holds the sums the
/// figures come from (for the report store; nothing of a single person).
/// </summary>
public sealed record WindowStats(
    string Camera, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int PeopleSeen, int Occupancy,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Counts, double? MeanDwellSeconds) : WorkerEvent(WindowEnd)
{
    public override string CameraId => Camera;
    public override string Kind => "stats";

    public AudienceTally? Audience { get; init; }
    public AudienceFigures? Expected { get; init; }
    public AudienceFigures? Corrected { get; init; }
    /// <summary>Who looked (Attention:Enabled): opportunities to see, viewers, attention seconds; null when attention is off.</summary>
    public AttentionTally? Attention { get; init; }
}

/// <summary>How many people a camera sees now (sent when it changes).</summary>
public sealed record OccupancyChanged(string Camera, int Present, DateTimeOffset Time) : WorkerEvent(Time)
{
    public override string CameraId => Camera;
    public override string Kind => "occupancy";
}

/// <summary>A camera's state changed (connecting, online, offline with the reason, ended).</summary>
public sealed record CameraStatusChanged(CameraStatus Status, string? CameraName) : WorkerEvent(Status.Since)
{
    public override string CameraId => Status.CameraId;
    public override string Kind => "camera_status";
}

/// <summary>The worker started ("online") or is stopping ("offline").</summary>
public sealed record WorkerStatusChanged(string State, int Cameras, DateTimeOffset Time) : WorkerEvent(Time)
{
    public override string? CameraId => null;
    public override string Kind => "worker_status";
}
