namespace FaceAge.Core.ModelFiles;

/// <summary>
/// Finds the models folder: an explicit path, else $FACEAGE_MODELS, else the nearest "models" folder
/// holding manifest.json above the working directory or the application.
/// </summary>
public static class ModelDirectory
{
    public const string SetupCommand = "dotnet run --project src/FaceAge.Cli -- models setup";

    public static string Locate(string? explicitPath = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath)) return Path.GetFullPath(explicitPath);
        var env = Environment.GetEnvironmentVariable("FACEAGE_MODELS");
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "models");
                if (File.Exists(Path.Combine(candidate, "manifest.json"))) return candidate;
            }
        }
        return Path.GetFullPath("models");
    }

    /// <summary>The path of a model file, or a <see cref="ModelMissingException"/> that says how to build it.</summary>
    public static string Require(string modelsDirectory, string fileName)
    {
        var path = Path.Combine(modelsDirectory, fileName);
        if (!File.Exists(path)) throw new ModelMissingException(path);
        return path;
    }
}

public sealed class ModelMissingException(string path)
    : FileNotFoundException($"Model file not found: {path}. Build the models with: {ModelDirectory.SetupCommand}", path);
