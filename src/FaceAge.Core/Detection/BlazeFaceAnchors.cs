namespace FaceAge.Core.Detection;

/// <summary>
/// SSD anchors of MediaPipe BlazeFace: anchor centres on feature maps of the given strides, several
/// anchors per cell (layers with the same stride share cells), all of unit size. Regressor outputs are
/// offsets from these centres in input pixels.
/// </summary>
public static class BlazeFaceAnchors
{
    /// <summary>Front (128 px) model: strides 8, 16, 16, 16 → 16×16×2 + 8×8×6 = 896 anchors.</summary>
    public static readonly int[] FrontStrides = [8, 16, 16, 16];
    /// <summary>Back (256 px) model: strides 16, 32, 32, 32 → 16×16×2 + 8×8×6 = 896 anchors.</summary>
    public static readonly int[] BackStrides = [16, 32, 32, 32];

    /// <summary>Anchor centres (x, y) normalized to [0, 1], in output order.</summary>
    public static (float X, float Y)[] Generate(int inputSize, int[] strides)
    {
        var anchors = new List<(float, float)>();
        int layer = 0;
        while (layer < strides.Length)
        {
            int stride = strides[layer];
            int perCell = 0;
            // Consecutive layers with the same stride share one feature map: two anchors each.
            while (layer < strides.Length && strides[layer] == stride)
            {
                perCell += 2;
                layer++;
            }
            int cells = (int)Math.Ceiling((double)inputSize / stride);
            for (int y = 0; y < cells; y++)
                for (int x = 0; x < cells; x++)
                    for (int a = 0; a < perCell; a++)
                        anchors.Add(((x + 0.5f) / cells, (y + 0.5f) / cells));
        }
        return anchors.ToArray();
    }
}
