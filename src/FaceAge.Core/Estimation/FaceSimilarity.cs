namespace FaceAge.Core.Estimation;

/// <summary>
/// Cosine similarity of two descriptors or embeddings, optionally after subtracting a centre (the mean embedding of many
/// faces): what re-entry (Fusion) and face verification (Verification) compare faces by.
/// </summary>
public static class FaceSimilarity
{
    /// <summary>
    /// Embeddings of some models share a large common component (every face looks alike to a raw cosine); subtracting
    /// the mean embedding of a population leaves what tells people apart. Null centre: the raw cosine.
    /// </summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float[]? centre = null)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Embeddings of different lengths ({a.Length}, {b.Length}).");
        if (centre is not null && centre.Length != a.Length) throw new ArgumentException($"Centre of length {centre.Length} for embeddings of {a.Length}.");
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i] - (centre?[i] ?? 0), y = b[i] - (centre?[i] ?? 0);
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
