using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;

namespace FaceAge.Worker.Events;

/// <summary>
/// What the track stage shows of each frame to the live page: the frame and the boxes of its tracks. The page keeps a
/// preview in memory for its own viewers; nothing of it is published.
/// </summary>
public interface IFrameObserver
{
    void OnFrame(string cameraId, IFrameImage frame, IEnumerable<(long TrackId, BoxF Box)> tracks, DateTimeOffset time);
}
