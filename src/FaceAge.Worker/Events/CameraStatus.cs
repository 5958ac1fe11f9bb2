namespace FaceAge.Worker.Events;

/// <summary>Where a camera stands: opening its stream, streaming, off with a reason (being retried), or its file ended.</summary>
public enum CameraState { Connecting, Online, Offline, Ended }

/// <summary>A camera's state since a time, with the reason when it is offline or ended (published retained).</summary>
public sealed record CameraStatus(string CameraId, CameraState State, string? Reason, DateTimeOffset Since);
