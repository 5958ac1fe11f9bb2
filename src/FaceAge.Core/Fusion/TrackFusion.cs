using FaceAge.Core.Estimation;

namespace FaceAge.Core.Fusion;

/// <summary>
/// Combines the samples of one person into one estimate: the age distributions and P(male) are averaged
/// with weights = sample quality (floored, so a run of poor samples still counts). For re-entry matching it
/// keeps the best few single-sample descriptors: averaging them would pull every person towards the
/// population mean (measured: different people's means become alike). Age = mean of the fused
/// distribution, uncertainty = its standard deviation.
/// </summary>
public sealed class TrackFusion
{
    private const double MinimumWeight = 0.05;
    public const int DescriptorsKept = 8;
    private double[]? _age;
    private List<(double Quality, float[] Descriptor)>? _descriptors = [];
    private double _male, _weight, _faceSize;
    private int _firstAge;

    public int Samples { get; private set; }
    /// <summary>The best face-check score of the samples (1 when they had none).</summary>
    public double BestFaceScore { get; private set; }
    /// <summary>The best quality of the samples.</summary>
    public double BestQuality { get; private set; }
    public double MeanFaceSize => Samples == 0 ? 0 : _faceSize / Samples;

    public void Add(PersonSample s)
    {
        double w = Math.Max(MinimumWeight, s.Quality);
        _age ??= new double[s.AgeProbabilities.Length];
        _firstAge = s.FirstAge;
        for (int i = 0; i < _age.Length; i++) _age[i] += w * s.AgeProbabilities[i];
        if (_descriptors is not null)
        {
            _descriptors.Add((s.Quality, s.Descriptor));
            if (_descriptors.Count > DescriptorsKept) _descriptors.Remove(_descriptors.MinBy(d => d.Quality));
        }
        _male += w * s.MaleProbability;
        _weight += w;
        _faceSize += s.FaceSize;
        BestFaceScore = Math.Max(BestFaceScore, s.FaceScore ?? 1);
        BestQuality = Math.Max(BestQuality, s.Quality);
        Samples++;
    }

    /// <summary>Merges another person's samples into this one (re-entry).</summary>
    public void Absorb(TrackFusion other)
    {
        if (other.Samples == 0) return;
        _age ??= new double[other._age!.Length];
        for (int i = 0; i < _age.Length; i++) _age[i] += other._age![i];
        if (_descriptors is not null && other._descriptors is not null)
        {
            _descriptors.AddRange(other._descriptors);
            while (_descriptors.Count > DescriptorsKept) _descriptors.Remove(_descriptors.MinBy(d => d.Quality));
        }
        _male += other._male;
        _weight += other._weight;
        _faceSize += other._faceSize;
        _firstAge = other._firstAge;
        BestFaceScore = Math.Max(BestFaceScore, other.BestFaceScore);
        BestQuality = Math.Max(BestQuality, other.BestQuality);
        Samples += other.Samples;
    }

    public AgeDistribution? Age => Samples == 0 ? null : new AgeDistribution(_age!.Select(v => (float)(v / _weight)).ToArray(), _firstAge);

    public double MaleProbability => Samples == 0 ? 0.5 : _male / _weight;

    /// <summary>The kept descriptors (in memory only); null once forgotten.</summary>
    public IReadOnlyList<float[]>? Descriptors => _descriptors?.Select(d => d.Descriptor).ToList();

    /// <summary>Highest cosine similarity between <paramref name="descriptor"/> and a kept descriptor (0 when none).</summary>
    public double BestSimilarity(float[] descriptor)
        => _descriptors is { Count: > 0 } kept ? kept.Max(d => FaceAge.Core.Verification.FaceSimilarity.Cosine(d.Descriptor, descriptor)) : 0;

    /// <summary>Drops the descriptors (privacy: they live only as long as the re-entry window).</summary>
    public void ForgetDescriptor() => _descriptors = null;
}
