namespace FaceAge.Worker.Channels;

/// <summary>
/// The hand-off from tracking to estimation. Each camera's track stage asks whether a track wants a sample now, offers
/// the crop of one that does, and says when a track ended; the estimation side decides which crops get estimated and
/// when (Estimation/CropScheduler). Neither stage knows the other, only this port.
/// </summary>
public interface ICropQueue
{
    /// <summary>Whether a crop of this track, from a frame captured at <paramref name="capturedAt"/>, would be used.</summary>
    bool Wants(string camera, long track, DateTimeOffset capturedAt);

    /// <summary>Hands a track's crop over; the queue owns it from now on (keeps it or disposes it).</summary>
    void Offer(CropRequest crop);

    /// <summary>The track ended: no more crops of it will come.</summary>
    void TrackEnded(string camera, long track);
}
