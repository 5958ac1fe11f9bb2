using FaceAge.Core.Estimation;

namespace FaceAge.Core.Fusion;

/// <summary>
/// The people of one camera: which track is which person, fused estimates, and departed persons held
/// for the re-entry window. A person's event is emitted once, when the departure is final (window over
/// without return); the descriptor is dropped at the same moment. Not thread-safe: one per camera.
/// </summary>
/// <param name="faceCheckThreshold">A person none of whose samples' face scores reaches this is no face (a shoe, a poster): not published.</param>
/// <param name="filtered">Told the reason ("not_a_face", "low_quality", "too_few_samples") of each person left unpublished.</param>
/// <param name="relinked">Told each time a new track turned out to continue a person seen shortly before (a broken track repaired, or a return).</param>
/// <param name="switched">Told each time two samples in a row of a track resemble none of the track's earlier ones (the track jumped to another face).</param>
/// <param name="attention">The camera's looking rule; null: attention is not measured.</param>
public sealed class PersonRegistry(string cameraId, FusionOptions options, AgeGroups groups, double faceCheckThreshold = 0, Action<string>? filtered = null,
    Action? relinked = null, Action? switched = null, AttentionRule? attention = null)
{
    /// <summary>A new track is compared with the departed persons on each of its first samples, not only the first: the
    /// first crop of a face is often its worst.</summary>
    public const int ReentrySamples = 3;
    /// <summary>
    /// Samples of the new track that must each resemble the same departed person (≥ ReentrySimilarity): one crop may look
    /// like someone else by chance — the threshold's 0.1 % false accepts are per pair, and a newcomer meets every kept
    /// descriptor of every departed person — but two independent crops rarely do (two 14-year-old girls, one leaving as
    /// the other entered, were merged on one sample at 0.77 in the scene benchmark; docs/lab/benchmarks-notebook.md, "Scenes").
    /// </summary>
    public const int ReentryVotes = 2;
    /// <summary>
    /// Two samples in a row less similar than this to every kept descriptor of their own track are an identity switch:
    /// same-clip pairs of one person measured ≥ 0.6 for 99.9 % (docs/accuracy.md), so one such sample is an odd crop at
    /// worst, two in a row are another face.
    /// </summary>
    public const double SwitchSimilarity = 0.6;
    private sealed class Person(double ageErrorCorrelation, AttentionRule? attention)
    {
        public string Id { get; } = Guid.NewGuid().ToString("N");
        public TrackFusion Fusion { get; } = new(ageErrorCorrelation, attention);
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
            p = new Person(options.AgeErrorCorrelation, attention) { FirstSeen = time };
            p.Tracks.Add(trackId);
            _byTrack[trackId] = p;
        }
        if (time > p.LastSeen) p.LastSeen = time;
    }

    /// <summary>Adds a sample to a track's person; the first samples of a new track may reveal a returning person.</summary>
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
        if (person.Tracks.Count == 1 && person.Fusion.Samples < ReentrySamples && Returning(person.Fusion, sample) is { } back)
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
            var next = new Person(options.AgeErrorCorrelation, attention) { FirstSeen = first.Time, LastSeen = sample.Time, LastSample = first.Time };
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

    /// <summary>
    /// The present single-track person who began after <paramref name="ended"/> was last seen and has <see cref="ReentryVotes"/>
    /// samples that resemble it (the most similar such one).
    /// </summary>
    private Person? Successor(Person ended)
    {
        if (Keys(ended.Fusion) is not { Count: > 0 }) return null;
        Person? best = null;
        double bestSimilarity = 0;
        foreach (var p in _byTrack.Values.Distinct())
        {
            if (p == ended || p.Tracks.Count != 1 || p.FirstSeen <= ended.LastSeen || p.Fusion.Samples == 0 || p.Fusion.Samples > ReentrySamples) continue;
            if (Resemblance(ended.Fusion, Keys(p.Fusion) ?? [], p.Fusion.AgeMean) is { } s && s > bestSimilarity) { best = p; bestSimilarity = s; }
        }
        return best;
    }

    /// <summary>
    /// The best similarity of <paramref name="samples"/> to <paramref name="known"/>'s kept descriptors when at least
    /// <see cref="ReentryVotes"/> of them reach the re-entry similarity for both persons' ages (<see cref="FusionOptions.ReentrySimilarityFor"/>;
    /// <paramref name="youngAge"/> is the estimated age of the samples' person); otherwise null (not the same person, or not yet sure).
    /// </summary>
    private double? Resemblance(TrackFusion known, IEnumerable<float[]> samples, double youngAge)
    {
        double threshold = options.ReentrySimilarityFor(known.AgeMean, youngAge);
        int votes = 0;
        double best = 0;
        foreach (var d in samples)
        {
            double s = UsesIdentity ? known.BestIdentitySimilarity(d) : known.BestSimilarity(d);
            if (s >= threshold) votes++;
            best = Math.Max(best, s);
        }
        return votes >= ReentryVotes ? best : null;
    }

    /// <summary>Re-entry compares the recognition embeddings (samples without one are left out), else the descriptors.</summary>
    private bool UsesIdentity => options.Embedding == FusionOptions.RecognitionEmbedding;

    private IReadOnlyList<float[]>? Keys(TrackFusion fusion) => UsesIdentity ? fusion.Identities : fusion.Descriptors;

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

    /// <summary>Current estimate for a present track's person (for periodic updates), or null while it would not be
    /// published (no samples yet, not a face, nothing usable).</summary>
    public PersonEvent? Current(long trackId) => _byTrack.TryGetValue(trackId, out var p) && Unpublishable(p.Fusion) is null ? ToEvent(p) : null;

    /// <summary>The departed person whom the new track's samples so far and <paramref name="descriptor"/> resemble
    /// (<see cref="Resemblance"/>), the most similar one.</summary>
    private Person? Returning(TrackFusion young, PersonSample sample)
    {
        var samples = (Keys(young) ?? []).ToList();
        if ((UsesIdentity ? sample.Identity : sample.Descriptor) is { } key) samples.Add(key);
        // The young person's age so far, with this sample's (the mean of its age distribution) weighed in as one more.
        double sampleAge = new AgeDistribution(sample.AgeProbabilities, sample.FirstAge).Mean;
        double youngAge = young.Samples == 0 ? sampleAge : (young.AgeMean * young.Samples + sampleAge) / (young.Samples + 1);
        Person? best = null;
        double bestSimilarity = 0;
        foreach (var p in _departed)
            if (Resemblance(p.Fusion, samples, youngAge) is { } s && s > bestSimilarity) { best = p; bestSimilarity = s; }
        return best;
    }

    private PersonEvent ToEvent(Person p)
    {
        double age = p.Fusion.AgeMean, male = p.Fusion.MaleProbability;
        var looked = attention is null ? null : p.Fusion.Attention.Summary(p.FirstSeen, p.LastSeen);
        return new PersonEvent(p.Id, cameraId, p.FirstSeen, p.LastSeen, Math.Round((p.LastSeen - p.FirstSeen).TotalSeconds, 1),
            Math.Round(age, 1), Math.Round(p.Fusion.AgeUncertainty, 1), groups.Of(age),
            male >= 0.5 ? "male" : "female", Math.Round(male >= 0.5 ? male : 1 - male, 3),
            p.Fusion.Samples, Math.Round(p.Fusion.MeanFaceSize, 1),
            looked is { } l ? Math.Round(l.Seconds, 1) : null, looked is { } v ? v.Seconds >= attention!.MinSeconds : null,
            looked is { } m ? Math.Round(m.LongestLook, 1) : null);
    }
}
