namespace FaceAge.Training.Verification;

/// <summary>
/// P(same person | similarity) as a logistic curve 1 / (1 + e^−(slope · s + intercept)), fitted to genuine and
/// impostor pairs with each class weighing half (equal prior odds), by Newton's method on the two parameters.
/// </summary>
public static class SimilarityCalibration
{
    public static (double Slope, double Intercept) Fit(IReadOnlyList<double> genuine, IReadOnlyList<double> impostor, int iterations = 50)
    {
        if (genuine.Count == 0 || impostor.Count == 0) throw new ArgumentException("Calibration needs genuine and impostor pairs.");
        double a = 1, b = 0;
        double wg = 0.5 / genuine.Count, wi = 0.5 / impostor.Count;
        for (int it = 0; it < iterations; it++)
        {
            double ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
            void Add(double s, double y, double w)
            {
                double p = 1 / (1 + Math.Exp(-(a * s + b)));
                double r = w * (p - y), h = w * p * (1 - p);
                ga += r * s; gb += r;
                haa += h * s * s; hab += h * s; hbb += h;
            }
            foreach (var s in genuine) Add(s, 1, wg);
            foreach (var s in impostor) Add(s, 0, wi);
            double det = haa * hbb - hab * hab;
            double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
            a -= da; b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-10) break;
        }
        return (a, b);
    }
}
