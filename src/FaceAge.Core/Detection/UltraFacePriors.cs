namespace FaceAge.Core.Detection;

/// <summary>
/// UltraFace's anchors for one input size, and the decoding of its raw box regressions against them. The network
/// is fully convolutional, so the anchors follow the input: per feature map (strides 8, 16, 32, 64; ⌈size / stride⌉
/// cells), row by row, each cell's anchors of that map's sizes (10/16/24, 32/48, 64/96, 128/192/256 input pixels),
/// centred on the cell as a fraction of the map (so a partial last cell shifts the centres, as in training), sizes as
/// fractions of the input clamped to [0, 1] — the RFB-320 configuration, the same anchors as the npm file's at 320×240.
/// </summary>
public sealed class UltraFacePriors
{
    private static readonly int[] Strides = [8, 16, 32, 64];
    private static readonly float[][] MinBoxes = [[10, 16, 24], [32, 48], [64, 96], [128, 192, 256]];
    private const float CenterVariance = 0.1f, SizeVariance = 0.2f;

    private readonly float[] _priors; // cx, cy, w, h per anchor

    public UltraFacePriors(int inputWidth, int inputHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputHeight, 1);
        InputWidth = inputWidth;
        InputHeight = inputHeight;
        var priors = new List<float>();
        for (int k = 0; k < Strides.Length; k++)
        {
            int cellsX = (inputWidth + Strides[k] - 1) / Strides[k], cellsY = (inputHeight + Strides[k] - 1) / Strides[k];
            for (int y = 0; y < cellsY; y++)
                for (int x = 0; x < cellsX; x++)
                    foreach (var size in MinBoxes[k])
                    {
                        priors.Add(Math.Clamp((x + 0.5f) / cellsX, 0, 1));
                        priors.Add(Math.Clamp((y + 0.5f) / cellsY, 0, 1));
                        priors.Add(Math.Clamp(size / inputWidth, 0, 1));
                        priors.Add(Math.Clamp(size / inputHeight, 0, 1));
                    }
        }
        _priors = priors.ToArray();
    }

    public int InputWidth { get; }
    public int InputHeight { get; }
    public int Count => _priors.Length / 4;

    /// <summary>Anchor <paramref name="index"/> as (centre x, centre y, width, height), fractions of the input.</summary>
    public (float Cx, float Cy, float W, float H) this[int index]
        => (_priors[4 * index], _priors[4 * index + 1], _priors[4 * index + 2], _priors[4 * index + 3]);

    /// <summary>The box of anchor <paramref name="index"/> given its four regressions, as corners in input pixels.</summary>
    public (float X1, float Y1, float X2, float Y2) Decode(int index, ReadOnlySpan<float> locations)
    {
        var (pcx, pcy, pw, ph) = this[index];
        var l = locations.Slice(4 * index, 4);
        float cx = pcx + l[0] * CenterVariance * pw, cy = pcy + l[1] * CenterVariance * ph;
        float w = MathF.Exp(l[2] * SizeVariance) * pw, h = MathF.Exp(l[3] * SizeVariance) * ph;
        return ((cx - w / 2) * InputWidth, (cy - h / 2) * InputHeight, (cx + w / 2) * InputWidth, (cy + h / 2) * InputHeight);
    }
}
