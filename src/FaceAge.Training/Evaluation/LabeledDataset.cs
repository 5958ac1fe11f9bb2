namespace FaceAge.Training.Evaluation;

/// <summary>
/// One labelled data set of an eval or training run: its name (the labels' folder, e.g. "fairface-dev"), where its
/// labels are, how its images become face crops, its faces, and how many label rows could not be read.
/// </summary>
public sealed record LabeledDataset(string Name, string Labels, CropMode Mode, List<LabeledFace> Faces, int LabelErrors)
{
    /// <summary>
    /// Reads each labels path (one <paramref name="modes"/> value for all, or one per path); label problems go to
    /// <paramref name="warn"/> (the first 20 of each set, then a count).
    /// </summary>
    public static List<LabeledDataset> Read(IReadOnlyList<string> labels, IReadOnlyList<CropMode> modes, Action<string> warn)
    {
        if (labels.Count == 0) throw new ArgumentException("--labels names no data set.");
        if (modes.Count != 1 && modes.Count != labels.Count)
            throw new ArgumentException($"--mode takes one value for all data sets or one per --labels ({labels.Count}), got {modes.Count}.");
        var sets = new List<LabeledDataset>();
        for (int d = 0; d < labels.Count; d++)
        {
            var (faces, errors) = LabelSource.Read(labels[d]);
            foreach (var e in errors.Take(20)) warn(e.Line > 0 ? $"{labels[d]}:{e.Line}: {e.Message}" : $"{labels[d]}: {e.Message}");
            if (errors.Count > 20) warn($"{labels[d]}: {errors.Count - 20} more label problem(s)");
            sets.Add(new LabeledDataset(ModelCard.DataNameOf(labels[d]), labels[d], modes.Count == 1 ? modes[0] : modes[d], faces, errors.Count));
        }
        if (sets.Select(s => s.Name).Distinct().Count() != sets.Count)
            throw new ArgumentException($"Two data sets have the same name ({string.Join(", ", sets.Select(s => s.Name))}); keep each in a folder of its own.");
        return sets;
    }

    /// <summary>The terms of a known data set, by name; null for another.</summary>
    public string? Terms => Name.ToLowerInvariant() switch
    {
        var n when n.Contains("utkface")
            => "UTKFace (https://susanqq.github.io/UTKFace/): non-commercial research use only; the copyright of the images belongs to their owners.",
        var n when n.Contains("fgnet") || n.Contains("fg-net") => "FG-NET aging database: research use only.",
        var n when n.Contains("fairface") => "FairFace (https://github.com/joojoooon/fairface): CC BY 4.0.",
        _ => null,
    };
}
