using System.Globalization;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training.Audience;

/// <summary>
/// One face of a labelled set as the estimator saw it (a row of `faceage eval --predictions`): its true age (exact, or a
/// group's interval) and gender where known, and the estimate: age, its ±, P(male).
/// </summary>
public sealed record PredictedFace(string Dataset, double? TrueAge, AgeInterval? TrueGroup, bool? TrueMale, double Age, double Uncertainty,
    double MaleProbability)
{
    /// <summary>Reads prediction CSVs; rows without an age label are kept for gender only, rows without an estimate are an error naming the line.</summary>
    public static List<PredictedFace> Read(IEnumerable<string> files)
    {
        var faces = new List<PredictedFace>();
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"Predictions not found: {file} (written by faceage eval --predictions).", file);
            using var reader = new StreamReader(file);
            var header = reader.ReadLine()?.Split(',') ?? throw new InvalidDataException($"{file}: empty.");
            int Col(string name) => Array.IndexOf(header, name) is >= 0 and var i ? i
                : throw new InvalidDataException($"{file}: no column '{name}' (write it with faceage eval --predictions).");
            int dataset = Col("dataset"), age = Col("true_age"), group = Col("true_age_group"), gender = Col("true_gender"), predicted = Col("predicted_age"),
                uncertainty = Col("age_uncertainty"), male = Col("p_male");
            int line = 1;
            while (reader.ReadLine() is { } row)
            {
                line++;
                var c = row.Split(',');
                if (c.Length < header.Length) throw new InvalidDataException($"{file}:{line}: {c.Length} columns, expected {header.Length}.");
                double? Number(int i) => double.TryParse(c[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
                faces.Add(new PredictedFace(c[dataset], Number(age), AgeInterval.Parse(c[group]),
                    c[gender] switch { "Male" => true, "Female" => false, _ => null },
                    Number(predicted) ?? throw new InvalidDataException($"{file}:{line}: no predicted age."),
                    Number(uncertainty) ?? 0, Number(male) ?? throw new InvalidDataException($"{file}:{line}: no P(male).")));
            }
        }
        return faces;
    }

    public bool HasAge => TrueAge is not null || TrueGroup is not null;

    /// <summary>
    /// A true age for one simulated window: the exact one, or where the label is a group an age drawn evenly from it
    /// (an open group, "70+", up to ten years above its start), so that any grouping can be scored on interval labels.
    /// </summary>
    public double DrawTrueAge(Random random)
    {
        if (TrueAge is { } a) return a;
        var g = TrueGroup ?? throw new InvalidOperationException("The face has no age label.");
        double end = g.High is { } h ? h + 1 : g.Low + 10;
        return g.Low + random.NextDouble() * (end - g.Low);
    }
}
