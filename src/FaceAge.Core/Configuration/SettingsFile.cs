namespace FaceAge.Core.Configuration;

/// <summary>
/// Where appsettings.json is: in the working folder or the nearest folder above it (a checkout run from a
/// sub-folder, or `dotnet run --project`), else beside the program (a published install).
/// </summary>
public static class SettingsFile
{
    public const string Name = "appsettings.json";

    /// <summary>The settings file's path, or null when there is none.</summary>
    public static string? Find(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, Name);
            if (File.Exists(candidate)) return candidate;
        }
        var beside = Path.Combine(AppContext.BaseDirectory, Name);
        return File.Exists(beside) ? beside : null;
    }

    /// <summary>The folder of the settings file (relative paths in it are relative to this), else the program's folder.</summary>
    public static string Folder(string? start = null) => Find(start) is { } file ? Path.GetDirectoryName(file)! : AppContext.BaseDirectory;
}
