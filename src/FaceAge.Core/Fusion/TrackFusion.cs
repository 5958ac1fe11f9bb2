using FaceAge.Core.Estimation;

namespace FaceAge.Core.Fusion;

/// <summary>
/// Combines the samples of one person into one estimate: the age distributions and P(male) are averaged
/// with weights = sample quality (floored, so a run of poor samples still counts). For re-entry matching it
/// keeps the best few single-sample descriptors: averaging them would pull every person towards the
/// population mean (measured: different people's means become alike).
/// <para>
/// Age = the weighted mean of the samples' ages. Its ± (<see cref="AgeUncertainty"/>) narrows with more samples only
/// as far as they are independent evidence: a sample's error u² is part shared by all samples of the person (ρ·u²: the
/// model misjudges this face, whatever the frame) and part its own ((1 − ρ)·u²: pose, light, blur). The fused error is
/// ρ·ū² + (1 − ρ)·ū² / n_eff (n_eff = (Σw)²/Σw²), with the own part never below what the samples' own spread shows.
/// ρ is <see cref="FusionOptions.AgeErrorCorrelation"/>, measured on real clips (docs/accuracy.md).
/// </para>
/// With <paramref name="attention"/>, the samples' head poses say how long the person looked (<see cref="Attention"/>).
/// </summary>
public sealed class TrackFusion(double ageErrorCorrelation = FusionOptions.DefaultAgeErrorCorrelation, AttentionRule? attention = null)
{
    private const double MinimumWeight = 0.05;
    public const int DescriptorsKept = 8;
    private double[]? _age;
    private List<(double Quality, float[] Descriptor)>? _descriptors = [];
    private List<(double Quality, float[] Descriptor)>? _identities = [];
    private double _male, _weight, _weightSquares, _faceSize, _ageSum, _ageSquares, _uncertaintySquares;
    private int _firstAge;

    public int Samples { get; private set; }
    /// <summary>The best face-check score of the samples (1 when they had none).</summary>
    public double BestFaceScore { get; private set; }
    /// <summary>The best quality of the samples.</summary>
    public double BestQuality { get; private set; }
    public double MeanFaceSize => Samples == 0 ? 0 : _faceSize / Samples;

    /// <summary>Looking time of the posed samples (none without an attention rule).</summary>
    public AttentionTime Attention { get; } = new();

    /// <summary>The rule the samples were judged by; null: attention is not measured.</summary>
    public AttentionRule? AttentionRule => attention;

    public void Add(PersonSample s)
    {
        double w = Math.Max(MinimumWeight, s.Quality);
        _age ??= new double[s.AgeProbabilities.Length];
        _firstAge = s.FirstAge;
        for (int i = 0; i < _age.Length; i++) _age[i] += w * s.AgeProbabilities[i];
        var distribution = new AgeDistribution(s.AgeProbabilities, s.FirstAge);
        double u = s.AgeUncertainty ?? distribution.StandardDeviation;
        _ageSum += w * distribution.Mean;
        _ageSquares += w * distribution.Mean * distribution.Mean;
        _uncertaintySquares += w * u * u;
        _weightSquares += w * w;
        Keep(_descriptors, s.Quality, s.Descriptor);
        if (s.Identity is { } identity) Keep(_identities, s.Quality, identity);
        _male += w * s.MaleProbability;
        _weight += w;
        _faceSize += s.FaceSize;
        BestFaceScore = Math.Max(BestFaceScore, s.FaceScore ?? 1);
        BestQuality = Math.Max(BestQuality, s.Quality);
        if (attention is not null && s.Pose is { } pose) Attention.Add(s.Time, attention.Looks(pose, s.TurnedAway));
        Samples++;
    }

    /// <summary>Merges another person's samples into this one (re-entry).</summary>
    public void Absorb(TrackFusion other)
    {
        if (other.Samples == 0) return;
        _age ??= new double[other._age!.Length];
        for (int i = 0; i < _age.Length; i++) _age[i] += other._age![i];
        foreach (var d in other._descriptors ?? []) Keep(_descriptors, d.Quality, d.Descriptor);
        foreach (var d in other._identities ?? []) Keep(_identities, d.Quality, d.Descriptor);
        _male += other._male;
        _weight += other._weight;
        _weightSquares += other._weightSquares;
        _ageSum += other._ageSum;
        _ageSquares += other._ageSquares;
        _uncertaintySquares += other._uncertaintySquares;
        _faceSize += other._faceSize;
        _firstAge = other._firstAge;
        BestFaceScore = Math.Max(BestFaceScore, other.BestFaceScore);
        BestQuality = Math.Max(BestQuality, other.BestQuality);
        Attention.Absorb(other.Attention);
        Samples += other.Samples;
    }

    /// <summary>The samples' age distributions averaged (a mixture: its spread is that of the samples, not the error of the fused age).</summary>
    public AgeDistribution? Age => Samples == 0 ? null : new AgeDistribution(_age!.Select(v => (float)(v / _weight)).ToArray(), _firstAge);

    /// <summary>The fused age: the weighted mean of the samples' ages.</summary>
    public double AgeMean => Samples == 0 ? double.NaN : _ageSum / _weight;

    /// <summary>The stated ± of <see cref="AgeMean"/> (see the class summary): shrinks with independent samples, never below √ρ · ū.</summary>
    public double AgeUncertainty
    {
        get
        {
            if (Samples == 0) return double.NaN;
            double meanU2 = _uncertaintySquares / _weight, effective = _weight * _weight / _weightSquares;
            double spread = Math.Max(0, _ageSquares / _weight - AgeMean * AgeMean) * (effective > 1 ? effective / (effective - 1) : 0);
            double own = Math.Max((1 - ageErrorCorrelation) * meanU2, spread);
            return Math.Sqrt(ageErrorCorrelation * meanU2 + own / effective);
        }
    }

    public double MaleProbability => Samples == 0 ? 0.5 : _male / _weight;

    /// <summary>The kept descriptors (in memory only); null once forgotten.</summary>
    public IReadOnlyList<float[]>? Descriptors => _descriptors?.Select(d => d.Descriptor).ToList();

    /// <summary>The kept recognition embeddings of the samples that had one (in memory only); null once forgotten.</summary>
    public IReadOnlyList<float[]>? Identities => _identities?.Select(d => d.Descriptor).ToList();

    /// <summary>Highest cosine similarity between <paramref name="descriptor"/> and a kept descriptor (0 when none).</summary>
    public double BestSimilarity(float[] descriptor) => Best(_descriptors, descriptor);

    /// <summary>Highest cosine similarity between <paramref name="identity"/> and a kept recognition embedding (0 when none).</summary>
    public double BestIdentitySimilarity(float[] identity) => Best(_identities, identity);

    /// <summary>Drops the descriptors and embeddings (privacy: they live only as long as the re-entry window).</summary>
    public void ForgetDescriptor()
    {
        _descriptors = null;
        _identities = null;
    }

    private static double Best(List<(double Quality, float[] Descriptor)>? kept, float[] other)
        => kept is { Count: > 0 } ? kept.Max(d => FaceSimilarity.Cosine(d.Descriptor, other)) : 0;

    /// <summary>Keeps the <see cref="DescriptorsKept"/> best by quality.</summary>
    private static void Keep(List<(double Quality, float[] Descriptor)>? kept, double quality, float[] vector)
    {
        if (kept is null) return;
        kept.Add((quality, vector));
        if (kept.Count > DescriptorsKept) kept.Remove(kept.MinBy(d => d.Quality));
    }
}
