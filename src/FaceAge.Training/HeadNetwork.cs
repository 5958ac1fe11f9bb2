using System.Numerics.Tensors;

namespace FaceAge.Training;

/// <summary>
/// The trainable age/gender head in memory: standardize the backbone features, an optional shared hidden
/// ReLU layer, then an age layer (softmax over ages 0–120) and a gender logit. The same maths is exported to
/// ONNX by <see cref="HeadExport"/>; <see cref="Forward"/> is the reference the export is checked against.
/// </summary>
public sealed class HeadNetwork
{
    // Up to 120: the oldest people in UTKFace are 116, and a head must be able to say so.
    public const int AgeBins = 121;

    public HeadNetwork(int inputs, int hidden, float[] mean, float[] scale)
    {
        if (mean.Length != inputs || scale.Length != inputs) throw new ArgumentException("Standardization must have one mean and scale per input.");
        Inputs = inputs;
        Hidden = hidden;
        Mean = mean;
        Scale = scale;
        W1 = new float[hidden * inputs];
        B1 = new float[hidden];
        WAge = new float[AgeBins * Width];
        BAge = new float[AgeBins];
        WMale = new float[Width];
        BMale = new float[1];
    }

    public int Inputs { get; }
    /// <summary>Hidden units; 0 = linear heads directly on the standardized features.</summary>
    public int Hidden { get; }
    /// <summary>Width of what the age and gender layers read: the hidden layer, or the inputs.</summary>
    public int Width => Hidden > 0 ? Hidden : Inputs;
    public float[] Mean { get; }
    public float[] Scale { get; }
    public float[] W1 { get; }
    public float[] B1 { get; }
    public float[] WAge { get; }
    public float[] BAge { get; }
    public float[] WMale { get; }
    public float[] BMale { get; }

    public IEnumerable<float[]> Parameters => [W1, B1, WAge, BAge, WMale, BMale];

    /// <summary>Which of <see cref="Parameters"/> get weight decay: the weight matrices, not the biases.</summary>
    public static readonly bool[] Decays = [true, false, true, false, true, false];

    public HeadNetwork Clone()
    {
        var copy = new HeadNetwork(Inputs, Hidden, Mean, Scale);
        foreach (var (from, to) in Parameters.Zip(copy.Parameters)) from.CopyTo(to, 0);
        return copy;
    }

    /// <summary>Standardizes raw features into <paramref name="destination"/>.</summary>
    public void Standardize(ReadOnlySpan<float> features, Span<float> destination)
    {
        TensorPrimitives.Subtract(features, Mean, destination);
        TensorPrimitives.Multiply(destination, Scale, destination);
    }

    /// <summary>
    /// Runs standardized features <paramref name="x"/> through the head: age probabilities into
    /// <paramref name="age"/> (ages 0–120), returns P(male). <paramref name="hidden"/> receives the hidden
    /// activations (length <see cref="Width"/>; for a linear head a copy of x).
    /// </summary>
    public float Forward(ReadOnlySpan<float> x, Span<float> hidden, Span<float> age)
    {
        if (Hidden > 0)
        {
            for (int j = 0; j < Hidden; j++)
                hidden[j] = Math.Max(0, TensorPrimitives.Dot(W1.AsSpan(j * Inputs, Inputs), x) + B1[j]);
        }
        else x.CopyTo(hidden);
        ReadOnlySpan<float> h = hidden[..Width];
        for (int k = 0; k < AgeBins; k++) age[k] = TensorPrimitives.Dot(WAge.AsSpan(k * Width, Width), h) + BAge[k];
        TensorPrimitives.SoftMax(age[..AgeBins], age[..AgeBins]);
        float logit = TensorPrimitives.Dot(WMale, h) + BMale[0];
        return 1f / (1f + MathF.Exp(-logit));
    }

    /// <summary>Forward on raw (unstandardized) features; for tests and the export check.</summary>
    public (float[] Age, float Male) Predict(ReadOnlySpan<float> features)
    {
        var x = new float[Inputs];
        Standardize(features, x);
        var hidden = new float[Width];
        var age = new float[AgeBins];
        float male = Forward(x, hidden, age);
        return (age, male);
    }

    public static double ExpectedAge(ReadOnlySpan<float> age)
    {
        double mean = 0;
        for (int k = 0; k < age.Length; k++) mean += age[k] * k;
        return mean;
    }
}
