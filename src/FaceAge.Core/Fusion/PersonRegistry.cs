using FaceAge.Core.Estimation;

namespace FaceAge.Core.Fusion;

/// <summary>Re-entry and event settings (section "Fusion").</summary>
public sealed record FusionOptions
{
    /// <summary>A person whose track ended and who comes back within this window is the same person.</summary>
    public TimeSpan ReentryWindow { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// Cosine similarity between a new track's first descriptor and one of a departed person's kept
    /// descriptors above which it is that person. 0.77 is what `faceage bench verify` chose for the worker's
    /// descriptor (faceres-deep-int8): 0.1 % false accepts over 465,582 pairs of different people (docs/accuracy.md).
    /// </summary>
    public double ReentrySimilarity { get; init; } = 0.77;
    /// <summary>
    /// Persons with fewer age/gender samples are not published (too little evidence). 3: at the default two
    /// samples per second a face tracked for at least a second, with three independent crops behind the
    /// estimate; in the scene benchmark every event with fewer matched no real person (docs/benchmarks.md, "Scenes").
    /// </summary>
    public int MinSamples { get; init; } = 3;
    /// <summary>Persons none of whose samples reach this quality (size × sharpness × frontalness, 0–1) are not published: nothing usable was seen.</summary>
    public double MinQuality { get; init; } = 0.1;
    public const double DefaultAgeErrorCorrelation = 0.9;
    /// <summary>
    /// ρ: the share of a sample's age error that all samples of one person share (the rest differs from frame to frame),
    /// so that fusing n samples narrows the stated ± only to √(ρ + (1 − ρ)/n) of a sample's (<see cref="TrackFusion"/>). 0.9: the
    /// stock model's samples on seven real clips implied 0.92, and with ρ 0.9 fused labelled faces keep the claimed coverage
    /// (`faceage bench fusion`, docs/accuracy.md, "Uncertainty").
    /// </summary>
    public double AgeErrorCorrelation { get; init; } = DefaultAgeErrorCorrelation;

    public IEnumerable<string> Validate(string prefix = "Fusion")
    {
        if (ReentryWindow < TimeSpan.Zero) yield return $"{prefix}:ReentryWindow must be ≥ 0, got {ReentryWindow}.";
        if (ReentrySimilarity is <= 0 or > 1) yield return $"{prefix}:ReentrySimilarity must be in (0, 1], got {ReentrySimilarity}.";
        if (MinSamples < 1) yield return $"{prefix}:MinSamples must be ≥ 1, got {MinSamples}.";
        if (MinQuality is < 0 or >= 1) yield return $"{prefix}:MinQuality must be in [0, 1), got {MinQuality}.";
        if (AgeErrorCorrelation is < 0 or > 1) yield return $"{prefix}:AgeErrorCorrelation must be in [0, 1], got {AgeErrorCorrelation}.";
    }
}

/// <summary>
/// The people of one camera: which track is which person, fused estimates, and departed persons held
/// for the re-entry window. A person's event is emitted once, when the departure is final (window over
/// without return); the descriptor is dropped at the same moment. Not thread-safe: one per camera.
/// </summary>
/// <param name="faceCheckThreshold">A person none of whose samples' face scores reaches this is no face (a shoe, a poster): not published.</param>
/// <param name="filtered">Told the reason ("not_a_face", "low_quality", "too_few_samples") of each person left unpublished.</param>
/// <param name="relinked">Told each time a new track turned out to continue a person seen shortly before (a broken track repaired, or a return).</param>
/// <param name="switched">Told each time two samples in a row of a track resemble none of the track's earlier ones (the track jumped to another face).</param>
public sealed class PersonRegistry(string cameraId, FusionOptions options, AgeGroups groups, double faceCheckThreshold = 0, Action<string>? filtered = null,
    Action? relinked = null, Action? switched = null)
{
    /// <summary>A new track is compared with the departed persons on each of its first samples, not only the first: the first crop of a face is often its worst.</summary>
    public const int ReentrySamples = 3;
    /// <summary>
    /// Two samples in a row less similar than this to every kept descriptor of their own track are an identity switch:
    /// same-clip pairs of one person measured ≥ 0.6 for 99.9 % (docs/accuracy.md), so one such sample is an odd crop at
    /// worst, two in a row are another face.
    /// </summary>
    public const double SwitchSimilarity = 0.6;

    private sealed class Person(double ageErrorCorrelation)
    {
        public string Id { get; } = Guid.NewGuid().ToString("N");
        public TrackFusion Fusion { get; } = new(ageErrorCorrelation);
        public DateTimeOffset FirstSeen, LastSeen, LastSample;
        public DateTimeOffset? DepartedAt;
        public readonly List<long> Tracks = [];
        /// <summary>A sample that resembled none of this person's: held until the next shows whether the track switched faces.</summary>
        public PersonSample? Foreign;
    }

    private readonly Dictionary<long, Person> _byTrack = [];
    private readonly List<Person> _departed = [];
    // Samples travel through the estimate stage and can arrive after their track's end: they still
    // belong to the departed person, or are dropped once that person was published.
    private readonly Dictionary<long, Person> _endedTracks = [];
    private readonly Queue<long> _publishedTracks = new();
    private readonly HashSet<long> _published = [];
    private const int PublishedTracksRemembered = 4096;

    public int Present => _byTrack.Count;
    /// <summary>Departed persons still held (with descriptors) for re-entry.</summary>
    public int AwaitingReentry => _departed.Count;

    /// <summary>Persons present or awaiting re-entry: memory held by this registry is bounded by this.</summary>
    public int Held => _byTrack.Values.Distinct().Count() + _departed.Count;

    public void TrackSeen(long trackId, DateTimeOffset time)
    {
        if (_endedTracks.ContainsKey(trackId) || _published.Contains(trackId)) return;
        if (!_byTrack.TryGetValue(trackId, out var p))
        {
            p = new Person(options.AgeErrorCorrelation) { FirstSeen = time };
            p.Tracks.Add(trackId);
            _byTrack[trackId] = p;
        }
        if (time > p.LastSeen) p.LastSeen = time;
    }

    /// <summary>Adds a sample to a track's person; the first sample of a new track may reveal a returning person.</summary>
    public void AddSample(long trackId, PersonSample sample)
    {
        if (_published.Contains(trackId)) return;
        if (_endedTracks.TryGetValue(trackId, out var departed))
        {
            departed.Fusion.Add(sample);
            return;
        }
        TrackSeen(trackId, sample.Time);
        var person = _byTrack[trackId];
        if (person.Tracks.Count == 1 && person.Fusion.Samples < ReentrySamples && Returning(sample.Descriptor) is { } back)
        {
            back.Fusion.Absorb(person.Fusion);
            back.FirstSeen = back.FirstSeen < person.FirstSeen ? back.FirstSeen : person.FirstSeen;
            back.LastSeen = back.LastSeen > person.LastSeen ? back.LastSeen : person.LastSeen;
            back.DepartedAt = null;
            _departed.Remove(back);
            // The person's earlier tracks stay in _endedTracks: their late samples still reach this person.
            back.Tracks.Add(trackId);
            _byTrack[trackId] = person = back;
            relinked?.Invoke();
        }
        else if (person.Fusion.Samples >= ReentrySamples && person.Fusion.BestSimilarity(sample.Descriptor) < SwitchSimilarity)
        {
            if (person.Foreign is not { } first)
            {
                person.Foreign = sample;   // one odd crop (a turn, motion blur) is not yet a switch
                return;
            }
            // The track jumped to another face (two people crossing, one leaving where another enters): the person it
            // followed so far has left at their last sample, and the track goes on as someone new from the first foreign one.
            switched?.Invoke();
            person.Foreign = null;
            person.Tracks.Remove(trackId);
            person.LastSeen = person.LastSample;
            person.DepartedAt = person.LastSample;
            _departed.Add(person);
            var next = new Person(options.AgeErrorCorrelation) { FirstSeen = first.Time, LastSeen = sample.Time, LastSample = first.Time };
            next.Tracks.Add(trackId);
            next.Fusion.Add(first);
            _byTrack[trackId] = person = next;
        }
        else if (person.Foreign is { } odd)
        {
            person.Fusion.Add(odd);        // it was the same face after all
            person.Foreign = null;
        }
        person.Fusion.Add(sample);
        if (sample.Time > person.LastSample) person.LastSample = sample.Time;
    }

    public void TrackEnded(long trackId, DateTimeOffset time)
    {
        if (!_byTrack.Remove(trackId, out var person)) return;
        if (person.Foreign is { } odd) { person.Fusion.Add(odd); person.Foreign = null; }   // nothing followed it: keep it
        // A track that broke (missed detections, a turn) while a new track already took the face over: the new
        // track, started after this one was last seen and still young, continues this person.
        if (Successor(person) is { } next)
        {
            next.Fusion.Absorb(person.Fusion);
            next.FirstSeen = person.FirstSeen < next.FirstSeen ? person.FirstSeen : next.FirstSeen;
            foreach (var t in person.Tracks)
            {
                next.Tracks.Insert(0, t);
                _endedTracks[t] = next; // late samples of the broken track go to its continuation
            }
            relinked?.Invoke();
            return;
        }
        person.DepartedAt = time;
        foreach (var t in person.Tracks) _endedTracks[t] = person;
        _departed.Add(person);
    }

    /// <summary>The present single-track person who began after <paramref name="ended"/> was last seen and resembles it most (above the re-entry similarity).</summary>
    private Person? Successor(Person ended)
    {
        if (ended.Fusion.Descriptors is not { Count: > 0 } mine) return null;
        Person? best = null;
        double bestSimilarity = options.ReentrySimilarity;
        foreach (var p in _byTrack.Values.Distinct())
        {
            if (p == ended || p.Tracks.Count != 1 || p.FirstSeen <= ended.LastSeen || p.Fusion.Samples == 0 || p.Fusion.Samples > ReentrySamples) continue;
            double s = mine.Max(d => p.Fusion.BestSimilarity(d));
            if (s >= bestSimilarity) { best = p; bestSimilarity = s; }
        }
        return best;
    }

    /// <summary>Events for persons whose re-entry window is over (or all departed ones when <paramref name="flush"/>).</summary>
    public IReadOnlyList<PersonEvent> Expire(DateTimeOffset now, bool flush = false)
    {
        var done = _departed.Where(p => flush || now - p.DepartedAt!.Value >= options.ReentryWindow).ToList();
        var events = new List<PersonEvent>();
        foreach (var p in done)
        {
            _departed.Remove(p);
            p.Fusion.ForgetDescriptor();
            foreach (var t in p.Tracks)
            {
                _endedTracks.Remove(t);
                _published.Add(t);
                _publishedTracks.Enqueue(t);
                if (_publishedTracks.Count > PublishedTracksRemembered) _published.Remove(_publishedTracks.Dequeue());
            }
            if (Unpublishable(p.Fusion) is { } reason) filtered?.Invoke(reason);
            else events.Add(ToEvent(p));
        }
        return events;
    }

    /// <summary>Why a departed person is not published, or null when they are.</summary>
    private string? Unpublishable(TrackFusion fusion)
    {
        if (fusion.Samples == 0 || fusion.Samples < options.MinSamples) return "too_few_samples";
        if (fusion.BestFaceScore < faceCheckThreshold) return "not_a_face";
        if (fusion.BestQuality < options.MinQuality) return "low_quality";
        return null;
    }

    /// <summary>Current estimate for a present track's person (for periodic updates), or null while it would not be published (no samples yet, not a face, nothing usable).</summary>
    public PersonEvent? Current(long trackId) => _byTrack.TryGetValue(trackId, out var p) && Unpublishable(p.Fusion) is null ? ToEvent(p) : null;

    private Person? Returning(float[] descriptor)
    {
        Person? best = null;
        double bestSimilarity = options.ReentrySimilarity;
        foreach (var p in _departed)
        {
            double s = p.Fusion.BestSimilarity(descriptor);
            if (s >= bestSimilarity) { best = p; bestSimilarity = s; }
        }
        return best;
    }

    private PersonEvent ToEvent(Person p)
    {
        double age = p.Fusion.AgeMean, male = p.Fusion.MaleProbability;
        return new PersonEvent(p.Id, cameraId, p.FirstSeen, p.LastSeen, Math.Round((p.LastSeen - p.FirstSeen).TotalSeconds, 1),
            Math.Round(age, 1), Math.Round(p.Fusion.AgeUncertainty, 1), groups.Of(age),
            male >= 0.5 ? "male" : "female", Math.Round(male >= 0.5 ? male : 1 - male, 3),
            p.Fusion.Samples, Math.Round(p.Fusion.MeanFaceSize, 1));
    }
}
