using FaceAge.Core.Detection;

namespace FaceAge.Core.Tracking;

/// <summary>
/// Constant-velocity Kalman filter over a box as (centre x, centre y, aspect w/h, height) and their
/// velocities, with noise proportional to the box height (the SORT/DeepSORT formulation), in frames.
/// </summary>
public sealed class KalmanBoxFilter
{
    private const double PositionWeight = 1.0 / 20, VelocityWeight = 1.0 / 160;
    private readonly double[] _x = new double[8];
    private readonly double[,] _p = new double[8, 8];

    public KalmanBoxFilter(BoxF box)
    {
        var z = Measure(box);
        Array.Copy(z, _x, 4);
        double h = z[3];
        double[] std = [2 * PositionWeight * h, 2 * PositionWeight * h, 1e-2, 2 * PositionWeight * h,
                        10 * VelocityWeight * h, 10 * VelocityWeight * h, 1e-5, 10 * VelocityWeight * h];
        for (int i = 0; i < 8; i++) _p[i, i] = std[i] * std[i];
    }

    public BoxF Box
    {
        get
        {
            double h = Math.Max(1, _x[3]), w = Math.Max(1, _x[2] * h);
            return new BoxF((float)(_x[0] - w / 2), (float)(_x[1] - h / 2), (float)w, (float)h);
        }
    }

    /// <summary>Advances the state by <paramref name="frames"/> frames.</summary>
    public void Predict(double frames = 1)
    {
        if (_x[3] + _x[7] * frames <= 0) _x[7] = 0;
        for (int i = 0; i < 4; i++) _x[i] += _x[i + 4] * frames;
        double h = _x[3];
        double[] q = [PositionWeight * h, PositionWeight * h, 1e-2, PositionWeight * h, VelocityWeight * h, VelocityWeight * h, 1e-5, VelocityWeight * h];
        // P = F P Fᵀ + Q with F = [[I, dt·I], [0, I]].
        var p = (double[,])_p.Clone();
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++)
            {
                double v = p[i, j];
                if (i < 4) v += frames * p[i + 4, j];
                if (j < 4) v += frames * p[i, j + 4];
                if (i < 4 && j < 4) v += frames * frames * p[i + 4, j + 4];
                _p[i, j] = v;
            }
        for (int i = 0; i < 8; i++) _p[i, i] += q[i] * q[i] * frames;
    }

    public void Update(BoxF box)
    {
        var z = Measure(box);
        double h = _x[3];
        double[] r = [PositionWeight * h, PositionWeight * h, 1e-1, PositionWeight * h];
        // S = H P Hᵀ + R (H picks the first four state entries); K = P Hᵀ S⁻¹.
        var s = new double[4, 4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                s[i, j] = _p[i, j] + (i == j ? r[i] * r[i] : 0);
        var sInv = Invert4(s);
        var k = new double[8, 4];
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 4; j++)
            {
                double v = 0;
                for (int m = 0; m < 4; m++) v += _p[i, m] * sInv[m, j];
                k[i, j] = v;
            }
        var innovation = new double[4];
        for (int i = 0; i < 4; i++) innovation[i] = z[i] - _x[i];
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 4; j++) _x[i] += k[i, j] * innovation[j];
        // P = (I − K H) P
        var p = (double[,])_p.Clone();
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++)
            {
                double v = 0;
                for (int m = 0; m < 4; m++) v += k[i, m] * p[m, j];
                _p[i, j] = p[i, j] - v;
            }
    }

    private static double[] Measure(BoxF b) => [b.CenterX, b.CenterY, b.Width / Math.Max(1f, b.Height), b.Height];

    private static double[,] Invert4(double[,] a)
    {
        // Gauss–Jordan on a 4×4 symmetric positive-definite matrix.
        var m = new double[4, 8];
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++) m[i, j] = a[i, j];
            m[i, 4 + i] = 1;
        }
        for (int c = 0; c < 4; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < 4; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c])) pivot = r;
            if (pivot != c) for (int j = 0; j < 8; j++) (m[c, j], m[pivot, j]) = (m[pivot, j], m[c, j]);
            double d = m[c, c];
            for (int j = 0; j < 8; j++) m[c, j] /= d;
            for (int r = 0; r < 4; r++)
            {
                if (r == c) continue;
                double f = m[r, c];
                for (int j = 0; j < 8; j++) m[r, j] -= f * m[c, j];
            }
        }
        var inv = new double[4, 4];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) inv[i, j] = m[i, 4 + j];
        return inv;
    }
}
