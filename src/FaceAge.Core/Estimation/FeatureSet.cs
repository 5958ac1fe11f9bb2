namespace FaceAge.Core.Estimation;

/// <summary>
/// The face models whose features a trained head reads, in order: faceres-deep (the analyzer's own backbone,
/// <see cref="BackboneFeatures"/>, which runs anyway for the descriptor) first when the set uses it, then any others from
/// <see cref="FaceModelRegistry"/>. Its <see cref="Layout"/> is stored in the head's metadata, so a head runs only on the
/// features it was trained on.
/// </summary>
public sealed class FeatureSet
{
    private const string Separator = " | ";

    public FeatureSet(IReadOnlyList<FaceModelDefinition> models)
    {
        if (models.Count == 0) throw new ArgumentException("A feature set names at least one face model.");
        if (models.Skip(1).Any(m => m.Name == FaceModelRegistry.FaceResDeep.Name))
            throw new ArgumentException($"{FaceModelRegistry.FaceResDeep.Name} (the analyzer's own model) comes first in a feature set, got "
                + $"'{string.Join("+", models.Select(m => m.Name))}'.");
        if (models.Select(m => m.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != models.Count)
            throw new ArgumentException($"A feature set names each model once, got '{string.Join("+", models.Select(m => m.Name))}'.");
        Models = models;
    }

    /// <summary>The set named by model names joined with '+', e.g. "faceres-deep+faceapi-age-gender" (faceres-deep is put first when named).</summary>
    public static FeatureSet Parse(string names)
    {
        var list = names.Split('+', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(FaceModelRegistry.Require).ToList();
        return new FeatureSet(list.OrderBy(m => m.Name == FaceModelRegistry.FaceResDeep.Name ? 0 : 1).ToList());
    }

    /// <summary>The set a head's metadata layout names; an error naming the part no model of this build gives.</summary>
    public static FeatureSet FromLayout(string layout, string source)
    {
        var models = new List<FaceModelDefinition>();
        foreach (var part in layout.Split(Separator))
        {
            var model = FaceModelRegistry.All.FirstOrDefault(m => m.Layout == part)
                ?? throw new InvalidDataException($"{source} was trained on features '{part}', which no face model of this build gives (known: "
                    + $"{string.Join("; ", FaceModelRegistry.All.Select(m => m.Layout))}).");
            models.Add(model);
        }
        return new FeatureSet(models);
    }

    public IReadOnlyList<FaceModelDefinition> Models { get; }

    /// <summary>Whether the set reads faceres-deep's own features (first).</summary>
    public bool IncludesBackbone => Models[0].Name == FaceModelRegistry.FaceResDeep.Name;

    /// <summary>The models beyond faceres-deep, run beside it for every estimate.</summary>
    public IReadOnlyList<FaceModelDefinition> Extra => Models.Where(m => m.Name != FaceModelRegistry.FaceResDeep.Name).ToList();

    public int Length => Models.Sum(m => m.FeatureLength);

    public string Layout => string.Join(Separator, Models.Select(m => m.Layout));

    public string Name => string.Join("+", Models.Select(m => m.Name));

    public override string ToString() => Name;
}
