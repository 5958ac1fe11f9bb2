using System.Globalization;
using FaceAge.Core.Analysis;

namespace FaceAge.Training.Evaluation;

/// <summary>
/// Labelled images in any of three layouts: a CSV file (<see cref="LabelCsvReader"/>), a folder of
/// UTKFace-named files ("age_gender_race_date.jpg", gender 0 = male, 1 = female), or a folder with one
/// sub-folder per age ("&lt;root&gt;/&lt;age&gt;/*.jpg"). Files that do not fit are reported, not skipped silently.
/// </summary>
public static class LabelSource
{

    public static (List<LabeledFace> Faces, List<LabelError> Errors) Read(string path)
    {
        if (File.Exists(path)) return LabelCsvReader.Read(path);
        if (!Directory.Exists(path)) throw new FileNotFoundException($"Labels not found: {path} (a CSV file, a folder of UTKFace-named images, or a folder "
            + "with one sub-folder per age).", path);
        var subfolders = Directory.GetDirectories(path);
        return subfolders.Length > 0 && subfolders.All(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            ? ReadAgeFolders(path)
            : ReadUtkFaceNames(path);
    }

    /// <summary>UTKFace file names: "[age]_[gender]_[race]_[date&amp;time].jpg".</summary>
    public static (List<LabeledFace> Faces, List<LabelError> Errors) ReadUtkFaceNames(string folder)
    {
        var faces = new List<LabeledFace>();
        var errors = new List<LabelError>();
        foreach (var file in Directory.EnumerateFiles(folder).Where(IsImage).Order(StringComparer.Ordinal))
        {
            var parts = Path.GetFileName(file).Split('_');
            if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var age) || age > 130)
            {
                errors.Add(new LabelError(0, $"{Path.GetFileName(file)}: name does not start with an age (age_gender_race_date.jpg)"));
                continue;
            }
            Gender? gender = parts[1] switch { "0" => Gender.Male, "1" => Gender.Female, _ => null };
            if (gender is null)
            {
                errors.Add(new LabelError(0, $"{Path.GetFileName(file)}: gender '{parts[1]}' is not 0 (male) or 1 (female)"));
                continue;
            }
            faces.Add(new LabeledFace(file, age, gender));
        }
        return (faces, errors);
    }

    /// <summary>"&lt;root&gt;/&lt;age&gt;/*.jpg": the folder name is the age; gender unknown.</summary>
    public static (List<LabeledFace> Faces, List<LabelError> Errors) ReadAgeFolders(string root)
    {
        var faces = new List<LabeledFace>();
        var errors = new List<LabelError>();
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            int age = int.Parse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture);
            if (age > 130)
            {
                errors.Add(new LabelError(0, $"{Path.GetFileName(dir)}/: age folder above 130"));
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
            {
                if (IsImage(file)) faces.Add(new LabeledFace(file, age, null));
                else errors.Add(new LabelError(0, $"{Path.GetFileName(dir)}/{Path.GetFileName(file)}: not an image file"));
            }
        }
        return (faces, errors);
    }

    private static bool IsImage(string file) => FaceAge.Core.Imaging.ImageDecoder.IsImageFile(file);
}
