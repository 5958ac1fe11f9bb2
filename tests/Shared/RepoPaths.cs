namespace FaceAge.Testing;

/// <summary>Where the repository, its built models and the optional ../shared data set are.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Models => Path.Combine(Root, "models");

    /// <summary>../shared beside the checkout (development and CI only; never on a user's machine).</summary>
    public static string Shared => Environment.GetEnvironmentVariable("FACEAGE_SHARED") is { Length: > 0 } s ? s
        : Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static bool HasShared => Directory.Exists(Shared) && File.Exists(Path.Combine(Shared, "README.md"));

    public static string SharedMissingMessage => $"skipped: ../shared is not present at {Shared} (development/CI data set only).";

    /// <summary>Sample photos from npm @vladmandic/face-api (demo/sample1–6.jpg), extracted by models setup.</summary>
    public static string SamplePhotos => Path.Combine(Models, "cache", "samples", "demo");

    /// <summary>A built model file; fails with the set-up command when it is missing.</summary>
    public static string Model(string relative)
    {
        var path = Path.Combine(Models, relative);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: run `dotnet run --project src/FaceAge.Cli -- models setup` (or ./build.sh setup) first.");
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FaceAge.sln"))) return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (FaceAge.sln) above " + AppContext.BaseDirectory);
    }
}
