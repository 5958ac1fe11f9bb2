using FaceAge.Core.Fusion;

namespace FaceAge.Worker.Events;

/// <summary>Told of every sample a present person's estimate takes in, and of tracks that end (the live page's labels).</summary>
public interface IPersonObserver
{
    void OnEstimate(string cameraId, long trackId, PersonEvent current);
    void OnTrackEnded(string cameraId, long trackId);
}
