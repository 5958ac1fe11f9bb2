namespace FaceAge.Testing;

/// <summary>A fact that needs ../shared; it is reported as skipped, with the reason, where ../shared is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (!RepoPaths.HasShared) Skip = RepoPaths.SharedMissingMessage;
    }
}

/// <summary>A theory that needs ../shared; skipped with the reason where ../shared is absent.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (!RepoPaths.HasShared) Skip = RepoPaths.SharedMissingMessage;
    }
}
