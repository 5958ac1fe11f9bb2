using FaceAge.Core.Estimation;

namespace FaceAge.Core.Fusion;

/// <summary>
/// Combines the samples of one person into one estimate: the age distributions and P(male) are averaged
/// with weights = sample quality (floored, so a run of poor samples still counts), and the descriptors
/// into one unit vector for re-entry matching. Age = mean of the fused distribution, uncertainty = its
/// standard deviation.
/// </summary>
public sealed class TrackFusion
{
    private const double MinimumWeight = 0.05;
    private double[]? _age;
    private double[]? _descriptor;
    private double _male, _weight, _faceSize;
    private int _firstAge;

    public int Samples { get; private set; }
    public double MeanFaceSize => Samples == 0 ? 0 : _faceSize / Samples;

    public void Add(PersonSample s)
    {
        double w = Math.Max(MinimumWeight, s.Quality);
        _age ??= new double[s.AgeProbabilities.Length];
        _descriptor ??= new double[s.Descriptor.Length];
        _firstAge = s.FirstAge;
        double norm = Math.Sqrt(s.Descriptor.Sum(v => (double)v * v));
        for (int i = 0; i < _age.Length; i++) _age[i] += w * s.AgeProbabilities[i];
        for (int i = 0; i < _descriptor.Length; i++) _descriptor[i] += w * s.Descriptor[i] / Math.Max(norm, 1e-9);
        _male += w * s.MaleProbability;
        _weight += w;
        _faceSize += s.FaceSize;
        Samples++;
    }

    /// <summary>Merges another person's samples into this one (re-entry).</summary>
    public void Absorb(TrackFusion other)
    {
        if (other.Samples == 0) return;
        _age ??= new double[other._age!.Length];
        _descriptor ??= new double[other._descriptor!.Length];
        for (int i = 0; i < _age.Length; i++) _age[i] += other._age![i];
        for (int i = 0; i < _descriptor.Length; i++) _descriptor[i] += other._descriptor![i];
        _male += other._male;
        _weight += other._weight;
        _faceSize += other._faceSize;
        _firstAge = other._firstAge;
        Samples += other.Samples;
    }

    public AgeDistribution? Age => Samples == 0 ? null : new AgeDistribution(_age!.Select(v => (float)(v / _weight)).ToArray(), _firstAge);

    public double MaleProbability => Samples == 0 ? 0.5 : _male / _weight;

    /// <summary>Unit-length mean descriptor (in memory only).</summary>
    public float[]? Descriptor
    {
        get
        {
            if (_descriptor is null) return null;
            double norm = Math.Sqrt(_descriptor.Sum(v => v * v));
            return _descriptor.Select(v => (float)(v / Math.Max(norm, 1e-9))).ToArray();
        }
    }

    /// <summary>Drops the descriptor (privacy: descriptors live only as long as the re-entry window).</summary>
    public void ForgetDescriptor() => _descriptor = null;

    public static double CosineSimilarity(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Max(Math.Sqrt(na * nb), 1e-12);
    }
}
