namespace FaceAge.Core.Estimation;

/// <summary>
/// A distribution over ages (bin i = age FirstAge + i). The estimate is its expected value; the
/// uncertainty is its standard deviation.
/// </summary>
public sealed class AgeDistribution
{
    public AgeDistribution(float[] probabilities, int firstAge = 1)
    {
        Probabilities = probabilities;
        FirstAge = firstAge;
        double total = 0, mean = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            total += probabilities[i];
            mean += probabilities[i] * (firstAge + i);
        }
        if (total <= 0) throw new ArgumentException("Age distribution has no mass.", nameof(probabilities));
        mean /= total;
        double variance = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double d = firstAge + i - mean;
            variance += probabilities[i] * d * d;
        }
        Mean = mean;
        StandardDeviation = Math.Sqrt(variance / total);
    }

    public float[] Probabilities { get; }
    public int FirstAge { get; }
    public double Mean { get; }
    public double StandardDeviation { get; }
}
