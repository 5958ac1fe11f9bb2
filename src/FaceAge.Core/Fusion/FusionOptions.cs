namespace FaceAge.Core.Fusion;

/// <summary>Re-entry and event settings (section "Fusion").</summary>
public sealed record FusionOptions
{
    /// <summary>A person whose track ended and who comes back within this window is the same person.</summary>
    public TimeSpan ReentryWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The embedding re-entry, track re-linking and identity switches compare: a face-recognition network.</summary>
    public const string RecognitionEmbedding = "fr-feature";
    /// <summary>The age/gender model's own descriptor: free with every sample, but far weaker at telling people apart.</summary>
    public const string DescriptorEmbedding = "descriptor";

    /// <summary>
    /// What re-entry and track re-linking compare: <see cref="RecognitionEmbedding"/> (fr-feature on the crop aligned by
    /// its landmarks; run on a track's first samples and its better views only) or <see cref="DescriptorEmbedding"/>. At
    /// 0.01 % false accepts per pair fr-feature recognised 90.9 % of same-clip pairs, the descriptor 65.5 % (`faceage bench
    /// verify`, docs/accuracy.md). Identity switches within a track are told by the descriptor, which every sample has.
    /// </summary>
    public string Embedding { get; init; } = DescriptorEmbedding;

    /// <summary>
    /// Cosine similarity between a sample of a new track and one of a departed person's kept embeddings above which it
    /// is that person; null: the embedding's own, 0.635 for fr-feature (0.01 % false accepts over 463,652 pairs of
    /// different people in `faceage bench verify`), 0.77 for the descriptor (0.1 %; docs/accuracy.md).
    /// </summary>
    public double? ReentrySimilarity { get; init; }
    public double EffectiveReentrySimilarity => ReentrySimilarity ?? (Embedding == DescriptorEmbedding ? 0.77 : 0.635);

    /// <summary>
    /// Stricter re-entry similarities by estimated age. The descriptor's embeddings of different people of one age are
    /// more alike among small children and the old than among adults: 0.1 % false accepts among utkface-dev strangers of
    /// one band (faceres-deep-int8) needed 0.867 at 0–6 years, 0.787 at 7–12, 0.747 at 13–19, 0.721 at 20–60 and 0.827 at
    /// 61 and over (docs/lab/benchmarks-notebook.md, "Scenes"). A pair is held to the strictest band of either person's
    /// estimated age, and never below the re-entry similarity. Null: those bands for the descriptor, none for fr-feature
    /// (whose single threshold already holds 0.01 % over all ages, children included).
    /// </summary>
    public ReentryAgeBand[]? ReentrySimilarityByAge { get; init; }
    public static readonly ReentryAgeBand[] DefaultReentrySimilarityByAge =
        [new() { MaxAge = 6, Similarity = 0.87 }, new() { MaxAge = 12, Similarity = 0.79 }, new() { MaxAge = 60, Similarity = 0.77 }, new() { MaxAge = 200,
            Similarity = 0.83 }];
    public ReentryAgeBand[] EffectiveReentrySimilarityByAge => ReentrySimilarityByAge is { Length: > 0 } b ? b
        : Embedding == DescriptorEmbedding ? DefaultReentrySimilarityByAge : [];

    /// <summary>The similarity two persons of these estimated ages must reach to be taken for one (NaN ages: no band).</summary>
    public double ReentrySimilarityFor(double ageA, double ageB)
        => Math.Max(EffectiveReentrySimilarity, Math.Max(BandSimilarity(ageA), BandSimilarity(ageB)));

    /// <summary>The similarity of the narrowest band that holds <paramref name="age"/> (0 when none does, or the age is unknown).</summary>
    private double BandSimilarity(double age)
        => double.IsNaN(age) ? 0 : EffectiveReentrySimilarityByAge.Where(b => age <= b.MaxAge).MinBy(b => b.MaxAge)?.Similarity ?? 0;

    /// <summary>
    /// Persons with fewer age/gender samples are not published (too little evidence). 3: at the default two
    /// samples per second a face tracked for at least a second, with three independent crops behind the
    /// estimate; in the scene benchmark every event with fewer matched no real person (docs/lab/benchmarks-notebook.md, "Scenes").
    /// </summary>
    public int MinSamples { get; init; } = 3;
    /// <summary>
    /// Persons none of whose samples reach this quality (size × sharpness × frontalness, 0–1) are not published: nothing
    /// usable was seen.
    /// </summary>
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
        if (Embedding is not (RecognitionEmbedding or DescriptorEmbedding))
            yield return $"{prefix}:Embedding must be {RecognitionEmbedding} or {DescriptorEmbedding}, got '{Embedding}'.";
        if (ReentrySimilarity is <= 0 or > 1) yield return $"{prefix}:ReentrySimilarity must be in (0, 1], got {ReentrySimilarity}.";
        for (int i = 0; i < (ReentrySimilarityByAge?.Length ?? 0); i++)
        {
            var b = ReentrySimilarityByAge![i];
            if (b.Similarity is <= 0 or > 1) yield return $"{prefix}:ReentrySimilarityByAge:{i}:Similarity must be in (0, 1], got {b.Similarity}.";
            if (b.MaxAge < 0) yield return $"{prefix}:ReentrySimilarityByAge:{i}:MaxAge must be ≥ 0, got {b.MaxAge}.";
        }
        if (MinSamples < 1) yield return $"{prefix}:MinSamples must be ≥ 1, got {MinSamples}.";
        if (MinQuality is < 0 or >= 1) yield return $"{prefix}:MinQuality must be in [0, 1), got {MinQuality}.";
        if (AgeErrorCorrelation is < 0 or > 1) yield return $"{prefix}:AgeErrorCorrelation must be in [0, 1], got {AgeErrorCorrelation}.";
    }
}

/// <summary>Ages up to <see cref="MaxAge"/> (and above the band below) are re-entered only at <see cref="Similarity"/> or more.</summary>
public sealed record ReentryAgeBand
{
    public double MaxAge { get; init; }
    public double Similarity { get; init; }
}
