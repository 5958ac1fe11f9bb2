using FaceAge.Worker.Channels;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;

namespace FaceAge.Worker.Estimation;

/// <summary>
/// Which face crops get an age/gender estimate, and when, across all cameras. Each track holds at most one candidate
/// crop (the best of its recent frames, replaced as fresher ones come); the estimator takes due candidates when it is
/// free. A track is due SamplesPerSecondPerTrack times a second. When the estimator cannot keep up, the rate falls
/// fairly by itself: due tracks with the fewest samples go first (a new track gets its first sample at once), and a
/// candidate older than SampleMaxAgeMilliseconds is never estimated (the track offers a fresher one; expired ones are
/// counted). Memory is bounded by the tracks present: one crop each, plus a bounded queue of last crops of ended
/// tracks that had no sample yet.
/// </summary>
public sealed class CropScheduler : ICropQueue, IDisposable
{
    private sealed class Slot
    {
        public CropRequest? Candidate;
        public DateTimeOffset LastTaken = DateTimeOffset.MinValue;
        public DateTimeOffset DueSince = DateTimeOffset.MaxValue;
        public int Samples;
        public DateTimeOffset FirstOffer = DateTimeOffset.MaxValue;
        public DateTimeOffset? FirstTaken;
    }

    /// <summary>What one ended track got: its samples over its time present, and how long its first sample took.</summary>
    public sealed record TrackSampling(int Samples, TimeSpan Present, TimeSpan? FirstSampleAfter);

    /// <summary>Among crops of the last 100 ms the best is kept, so a sample is never much older than its frame.</summary>
    public static readonly TimeSpan FreshCrop = TimeSpan.FromMilliseconds(100);
    private const int MaxFlushed = 256;
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Dictionary<(string Camera, long Track), Slot> _slots = [];
    private readonly Queue<CropRequest> _flushed = new();
    private readonly TimeSpan _interval, _maxAge;
    private readonly double _configuredRate;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private bool _completed, _lowered;
    // Effective rate: samples taken over track-seconds present, per window.
    private DateTimeOffset _windowStart, _lastTick;
    private double _trackSeconds;
    private int _takenInWindow;

    public CropScheduler(PipelineOptions options, WorkerMetrics metrics, ILogger logger, TimeProvider? clock = null)
    {
        _configuredRate = options.SamplesPerSecondPerTrack;
        _interval = TimeSpan.FromSeconds(1 / options.SamplesPerSecondPerTrack);
        _maxAge = TimeSpan.FromMilliseconds(options.SampleMaxAgeMilliseconds);
        _metrics = metrics;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
        _windowStart = _lastTick = _clock.GetUtcNow();
    }

    private readonly Queue<TrackSampling> _ended = new();

    /// <summary>The last 10,000 ended tracks' sampling (for the bench: fairness and time to a first sample).</summary>
    public IReadOnlyList<TrackSampling> EndedTracks() { lock (_gate) return _ended.ToList(); }

    /// <summary>Per-track samples per second over the last window (the configured rate unless the estimator is saturated).</summary>
    public double EffectiveRate { get; private set; }

    /// <summary>Whether the track would use a crop of a frame captured now: it is due, or due within the fresh-crop window.</summary>
    public bool Wants(string camera, long track, DateTimeOffset capturedAt)
    {
        lock (_gate)
            return !_slots.TryGetValue((camera, track), out var slot) || capturedAt - slot.LastTaken >= _interval - FreshCrop;
    }

    /// <summary>Offers a track's crop; the scheduler owns it from now on (keeps it or disposes it).</summary>
    public void Offer(CropRequest crop)
    {
        bool signal;
        lock (_gate)
        {
            Tick(crop.CapturedAt);
            if (!_slots.TryGetValue((crop.CameraId, crop.TrackId), out var slot)) _slots[(crop.CameraId,
                crop.TrackId)] = slot = new Slot { FirstOffer = crop.CapturedAt };
            if (slot.Candidate is { } held && held.Quality >= crop.Quality && crop.CapturedAt - held.CapturedAt <= FreshCrop)
            {
                crop.Dispose();
                return;
            }
            slot.Candidate?.Dispose();
            slot.Candidate = crop;
            signal = Due(slot, crop.CapturedAt);
            if (signal && slot.DueSince == DateTimeOffset.MaxValue) slot.DueSince = crop.CapturedAt;
        }
        if (signal) Release();
    }

    /// <summary>The track ended: its last crop still counts when it has no sample yet (a short visit), else it is dropped.</summary>
    public void TrackEnded(string camera, long track)
    {
        lock (_gate)
        {
            if (!_slots.Remove((camera, track), out var slot)) return;
            _ended.Enqueue(new TrackSampling(slot.Samples, _clock.GetUtcNow() - slot.FirstOffer, slot.FirstTaken - slot.FirstOffer));
            while (_ended.Count > 10_000) _ended.Dequeue();
            if (slot.Candidate is not { } last) return;
            if (slot.Samples > 0)
            {
                last.Dispose();
                return;
            }
            _flushed.Enqueue(last with { Flushed = true });
            while (_flushed.Count > MaxFlushed)
            {
                var dropped = _flushed.Dequeue();
                _metrics.FramesDropped.WithLabels(dropped.CameraId, "estimate").Inc();
                dropped.Dispose();
            }
        }
        Release();
    }

    /// <summary>No more offers (the cameras stopped): Take returns what is left, then an empty batch.</summary>
    public void Complete()
    {
        lock (_gate) _completed = true;
        Release();
    }

    /// <summary>
    /// Waits for a due crop, then up to <paramref name="maxWait"/> for more, and returns at most <paramref name="max"/>
    /// by priority: flushed last crops of tracks without a sample, then due tracks with the fewest samples, the longest
    /// waiting first. Empty when completed and nothing is left, or on cancellation.
    /// </summary>
    public List<CropRequest> Take(int max, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var batch = new List<CropRequest>(max);
        DateTimeOffset? first = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            bool done;
            lock (_gate)
            {
                var now = _clock.GetUtcNow();
                Collect(batch, max, now);
                if (batch.Count > 0) first ??= now;
                bool nothingLeft = _completed && _flushed.Count == 0 && !_slots.Values.Any(s => s.Candidate is not null);
                done = batch.Count >= max || (first is { } f && now - f >= maxWait) || nothingLeft;
            }
            if (done) break;
            var wait = first is { } start ? maxWait - (_clock.GetUtcNow() - start) : TimeSpan.FromMilliseconds(50);
            try
            {
                _signal.Wait(wait > TimeSpan.Zero ? Min(wait, TimeSpan.FromMilliseconds(50)) : TimeSpan.Zero, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return batch;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private void Collect(List<CropRequest> batch, int max, DateTimeOffset now)
    {
        Tick(now);
        while (batch.Count < max && _flushed.TryDequeue(out var last)) batch.Add(last);
        if (batch.Count >= max) return;
        // Expire stale candidates first: the estimator never spends time on a crop past its latency budget.
        foreach (var slot in _slots.Values)
            if (slot.Candidate is { } c && now - c.CapturedAt > _maxAge)
            {
                _metrics.FramesDropped.WithLabels(c.CameraId, "estimate").Inc();
                c.Dispose();
                slot.Candidate = null;
                slot.DueSince = DateTimeOffset.MaxValue;
            }
        var due = _slots.Values.Where(s => s.Candidate is not null && Due(s, now)).OrderBy(s => s.Samples).ThenBy(s
            => s.LastTaken).Take(max - batch.Count).ToList();
        foreach (var slot in due)
        {
            batch.Add(slot.Candidate!);
            slot.Candidate = null;
            slot.LastTaken = now;
            slot.DueSince = DateTimeOffset.MaxValue;
            slot.FirstTaken ??= now;
            slot.Samples++;
            _takenInWindow++;
        }
    }

    private bool Due(Slot slot, DateTimeOffset now) => now - slot.LastTaken >= _interval;

    /// <summary>Accounts track-seconds for the effective rate, and reports it once per window.</summary>
    private void Tick(DateTimeOffset now)
    {
        if (now <= _lastTick) return;
        _trackSeconds += (now - _lastTick).TotalSeconds * _slots.Count;
        _lastTick = now;
        if (now - _windowStart < RateWindow) return;
        if (_trackSeconds > 0)
        {
            EffectiveRate = _takenInWindow / _trackSeconds;
            _metrics.SamplingRate.Set(EffectiveRate);
            // Saturated: tracks wait longer than their interval with a crop in hand.
            bool backlog = _slots.Values.Any(s => s.Candidate is not null && s.DueSince != DateTimeOffset.MaxValue && now - s.DueSince > _interval);
            if (!_lowered && backlog && EffectiveRate < 0.9 * _configuredRate)
            {
                _lowered = true;
                _logger.LogWarning("Age/gender sampling lowered to {Rate:0.00} per track per second (configured {Configured}) across {Tracks} track(s): the "
                    + "estimator is saturated; tracks with the fewest samples go first",
                    EffectiveRate, _configuredRate, _slots.Count);
            }
            else if (_lowered && EffectiveRate >= 0.95 * _configuredRate)
            {
                _lowered = false;
                _logger.LogInformation("Age/gender sampling back to {Rate:0.00} per track per second", EffectiveRate);
            }
        }
        _windowStart = now;
        _trackSeconds = 0;
        _takenInWindow = 0;
    }

    private void Release()
    {
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var slot in _slots.Values) slot.Candidate?.Dispose();
            _slots.Clear();
            while (_flushed.TryDequeue(out var c)) c.Dispose();
        }
        _signal.Dispose();
    }
}
