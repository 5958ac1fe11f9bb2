using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceAge.Core.Audience;

/// <summary>
/// What the estimator gets wrong about a crowd, measured on validation data by `faceage bench shares` and kept beside
/// the estimator's head (models/heads/&lt;head&gt;.shares.json): the systematic error of each age group's share and of the male
/// share (the part of a window's error that more people do not remove), and the confusion between true and estimated
/// age groups and genders (rows: true; columns: estimated), with which expected counts can be corrected.
/// </summary>
public sealed record AudienceErrorModel
{
    /// <summary>The network the figures were measured with, and how.</summary>
    public string Network { get; init; } = "";
    public string MeasuredOn { get; init; } = "";
    public string Command { get; init; } = "";

    /// <summary>The age groups' lower bounds the figures are for.</summary>
    public int[] AgeGroupBounds { get; init; } = [];

    /// <summary>Root-mean-square systematic error of each age group's expected share (fraction of the people).</summary>
    public double[] AgeGroupSystematic { get; init; } = [];
    public double MaleSystematic { get; init; }

    /// <summary>
    /// Root-mean-square error of the male share among people of one true age group (children's gender is harder): a
    /// window's male term weighs them by its expected age shares. Empty: <see cref="MaleSystematic"/> for every window.
    /// </summary>
    public double[] MaleSystematicByAgeGroup { get; init; } = [];

    /// <summary>
    /// Factors on the systematic terms, fitted so that the 90 % intervals hold the truth in 90 % of validation windows
    /// (the raw terms are RMS errors over mixes that may be more or less lopsided than a site's).
    /// </summary>
    public double AgeScale { get; init; } = 1;
    public double MaleScale { get; init; } = 1;

    /// <summary>P(estimated group | true group), row per true group; P(estimated male | true gender), rows female, male.</summary>
    public double[][] AgeGroupConfusion { get; init; } = [];
    public double[][] GenderConfusion { get; init; } = [];

    /// <summary>No measurement: intervals from the per-person probabilities alone, nothing to correct with.</summary>
    public static AudienceErrorModel None(IReadOnlyList<int> bounds) => new()
    {
        AgeGroupBounds = [.. bounds],
        AgeGroupSystematic = new double[bounds.Count],
    };

    /// <summary>The systematic term of age group <paramref name="group"/>'s share interval.</summary>
    public double AgeSystematic(int group) => group < AgeGroupSystematic.Length ? AgeScale * AgeGroupSystematic[group] : 0;

    /// <summary>The systematic term of the male share's interval for the people of <paramref name="tally"/>.</summary>
    public double MaleSystematicFor(AudienceTally tally)
    {
        if (MaleSystematicByAgeGroup.Length != tally.Groups.Count || tally.People == 0) return MaleScale * MaleSystematic;
        double s = 0;
        for (int g = 0; g < tally.Groups.Count; g++) s += tally.AgeExpected[g] / tally.People * MaleSystematicByAgeGroup[g];
        return MaleScale * s;
    }

    public bool CanCorrect => AgeGroupConfusion.Length == AgeGroupBounds.Length && GenderConfusion.Length == 2;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Reads a model file; an error names the file, and a model measured for other age groups than <paramref name="bounds"/>.</summary>
    public static AudienceErrorModel Load(string path, IReadOnlyList<int> bounds)
    {
        var model = Read(path);
        if (!model.AgeGroupBounds.SequenceEqual(bounds))
            throw new InvalidDataException($"{path} was measured for the age groups [{string.Join(", ", model.AgeGroupBounds)}], not the configured "
                + $"[{string.Join(", ", bounds)}]; measure it again with `faceage bench shares --age-groups {string.Join(",", bounds)}`.");
        if (model.AgeGroupSystematic.Length != bounds.Count) throw new InvalidDataException($"{path}: one systematic error per age group is needed.");
        return model;
    }

    /// <summary>Reads a model file whatever its age groups; an error names the file.</summary>
    public static AudienceErrorModel Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Audience error model not found: {path}", path);
        try
        {
            return JsonSerializer.Deserialize<AudienceErrorModel>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty audience error model.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not an audience error model ({e.Message}).", e);
        }
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
}
