namespace FaceAge.Training.Pose;

/// <summary>
/// Least squares with an L2 penalty on the weights (not the intercept): the weights w and intercept b that minimise
/// Σ (y − w·x − b)² + λ |w|², solved exactly from the normal equations of the centred data by a Cholesky factorisation.
/// </summary>
public static class RidgeRegression
{
    /// <summary>The weights, then the intercept.</summary>
    public static double[] Fit(IReadOnlyList<double[]> rows, IReadOnlyList<double> targets, double lambda)
    {
        if (rows.Count == 0 || rows.Count != targets.Count) throw new ArgumentException("one target per row, at least one row.");
        int n = rows[0].Length;
        var mean = new double[n];
        foreach (var row in rows)
            for (int j = 0; j < n; j++) mean[j] += row[j] / rows.Count;
        double targetMean = targets.Average();
        var a = new double[n, n];
        var b = new double[n];
        var centred = new double[n];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int j = 0; j < n; j++) centred[j] = rows[r][j] - mean[j];
            double y = targets[r] - targetMean;
            for (int i = 0; i < n; i++)
            {
                b[i] += centred[i] * y;
                for (int j = 0; j <= i; j++) a[i, j] += centred[i] * centred[j];
            }
        }
        for (int i = 0; i < n; i++)
        {
            a[i, i] += lambda;
            for (int j = 0; j < i; j++) a[j, i] = a[i, j];
        }
        var w = SolveSymmetric(a, b);
        var result = new double[n + 1];
        Array.Copy(w, result, n);
        result[n] = targetMean - w.Select((wj, j) => wj * mean[j]).Sum();
        return result;
    }

    /// <summary>w·x + b for weights from <see cref="Fit"/>.</summary>
    public static double Predict(double[] weights, ReadOnlySpan<double> row)
    {
        double sum = weights[^1];
        for (int j = 0; j < row.Length; j++) sum += weights[j] * row[j];
        return sum;
    }

    /// <summary>Solves A x = b for a symmetric positive definite A (Cholesky: A = L Lᵀ).</summary>
    private static double[] SolveSymmetric(double[,] a, double[] b)
    {
        int n = b.Length;
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i, j];
                for (int k = 0; k < j; k++) sum -= l[i, k] * l[j, k];
                if (i == j)
                {
                    if (sum <= 0) throw new ArgumentException("the normal equations are not positive definite; raise lambda.");
                    l[i, i] = Math.Sqrt(sum);
                }
                else l[i, j] = sum / l[j, j];
            }
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++) sum -= l[i, k] * y[k];
            y[i] = sum / l[i, i];
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < n; k++) sum -= l[k, i] * x[k];
            x[i] = sum / l[i, i];
        }
        return x;
    }
}
