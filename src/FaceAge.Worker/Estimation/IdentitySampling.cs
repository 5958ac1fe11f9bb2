using FaceAge.Core.Fusion;

namespace FaceAge.Worker.Estimation;

/// <summary>
/// Which samples get a recognition embedding (Fusion:Embedding = fr-feature). Re-entry and track re-linking compare a new
/// track's first samples with a departed person's best views, so a track's first <see cref="PersonRegistry.ReentrySamples"/>
/// samples get one, and each later sample that is a clearly better view than any embedded so far (quality 10 % higher);
/// the others keep the age/gender descriptor alone. A track's state is dropped once it has had no sample for a minute.
/// </summary>
public sealed class IdentitySampling
{
    private const double Better = 1.1;
    private const int MaxTracks = 4096;
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(1);
    private readonly Dictionary<(string Camera, long Track), (int Embedded, double Best, DateTimeOffset Last)> _tracks = [];

    public bool Wants(string camera, long track, double quality, DateTimeOffset time)
    {
        var key = (camera, track);
        _tracks.TryGetValue(key, out var state);
        bool wants = state.Embedded < PersonRegistry.ReentrySamples || quality > state.Best * Better;
        _tracks[key] = wants ? (state.Embedded + 1, Math.Max(state.Best, quality), time) : state with { Last = time };
        if (_tracks.Count > MaxTracks)
            foreach (var old in _tracks.Where(t => time - t.Value.Last > Forget).Select(t => t.Key).ToList()) _tracks.Remove(old);
        return wants;
    }

    /// <summary>Tracks whose sampling is remembered (bounded: older ones are dropped past <see cref="MaxTracks"/>).</summary>
    public int Tracks => _tracks.Count;
}
