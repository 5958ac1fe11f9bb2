using FaceAge.Core.Fusion;

namespace FaceAge.Worker.Events;

/// <summary>Told of every sample a present person's estimate takes in, and of tracks that end (the live page's labels).</summary>
public interface IPersonObserver
{
    /// <param name="looking">Whether the sample's face was turned to the screen (Attention); null when its pose was not measured.</param>
    void OnEstimate(string cameraId, long trackId, PersonEvent current, bool? looking);
    void OnTrackEnded(string cameraId, long trackId);
}
