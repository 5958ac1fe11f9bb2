namespace FaceAge.Training;

/// <summary>
/// Adam with decoupled weight decay (AdamW) over a list of parameter arrays, each with its own learning rate
/// and whether it decays (weights yes, biases and gains no).
/// </summary>
internal sealed class AdamW
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly float[][] _parameters;
    private readonly bool[] _decays;
    private readonly double[] _learningRates;
    private readonly double _weightDecay;
    private readonly float[][] _m, _v;
    private int _t;

    public AdamW(float[][] parameters, bool[] decays, double learningRate, double weightDecay)
        : this(parameters, decays, parameters.Select(_ => learningRate).ToArray(), weightDecay) { }

    public AdamW(float[][] parameters, bool[] decays, double[] learningRates, double weightDecay)
    {
        if (decays.Length != parameters.Length || learningRates.Length != parameters.Length)
            throw new ArgumentException("One decay flag and learning rate per parameter array.");
        _parameters = parameters;
        _decays = decays;
        _learningRates = learningRates;
        _weightDecay = weightDecay;
        _m = parameters.Select(p => new float[p.Length]).ToArray();
        _v = parameters.Select(p => new float[p.Length]).ToArray();
    }

    public void Step(float[][] gradients)
    {
        _t++;
        double c1 = 1 - Math.Pow(Beta1, _t), c2 = 1 - Math.Pow(Beta2, _t);
        for (int p = 0; p < _parameters.Length; p++)
        {
            float step = (float)(_learningRates[p] * Math.Sqrt(c2) / c1), decay = (float)(1 - _learningRates[p] * _weightDecay);
            var w = _parameters[p];
            var g = gradients[p];
            var m = _m[p];
            var v = _v[p];
            bool decays = _decays[p];
            for (int i = 0; i < w.Length; i++)
            {
                m[i] = (float)(Beta1 * m[i] + (1 - Beta1) * g[i]);
                v[i] = (float)(Beta2 * v[i] + (1 - Beta2) * g[i] * g[i]);
                if (decays) w[i] *= decay;
                w[i] -= step * m[i] / (MathF.Sqrt(v[i]) + (float)Epsilon);
            }
        }
    }
}
