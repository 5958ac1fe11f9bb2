namespace FaceAge.Core.Audience;

/// <summary>
/// Undoes a known confusion: given counts of what the estimator said (q, per estimated class) and P(estimated k | true j)
/// measured on validation data (M, rows true), the true counts t ≥ 0 with Σt = Σq under which q is most likely (maximum
/// likelihood, found by expectation–maximization: t_j ← Σ_k q_k · t_j M_jk / Σ_i t_i M_ik, from equal counts). Unlike
/// solving qᵀ = tᵀM directly it never gives a negative count, and it keeps the total.
/// </summary>
public static class ConfusionCorrection
{
    public static double[] Correct(IReadOnlyList<double> observed, double[][] confusion, int iterations = 500)
    {
        int n = observed.Count;
        if (confusion.Length != n || confusion.Any(r => r.Length != n)) throw new ArgumentException($"A {n}×{n} confusion matrix is needed.");
        double total = observed.Sum();
        if (total <= 0) return new double[n];
        var t = Enumerable.Repeat(total / n, n).ToArray();
        var next = new double[n];
        for (int it = 0; it < iterations; it++)
        {
            Array.Clear(next);
            for (int k = 0; k < n; k++)
            {
                if (observed[k] <= 0) continue;
                double predicted = 0;
                for (int i = 0; i < n; i++) predicted += t[i] * confusion[i][k];
                if (predicted <= 0) continue;
                for (int j = 0; j < n; j++) next[j] += observed[k] * t[j] * confusion[j][k] / predicted;
            }
            double sum = next.Sum();
            for (int j = 0; j < n; j++) t[j] = sum > 0 ? next[j] * total / sum : total / n;
        }
        return t;
    }
}
