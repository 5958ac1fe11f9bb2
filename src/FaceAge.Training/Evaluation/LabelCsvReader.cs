using System.Globalization;
using FaceAge.Core.Analysis;

namespace FaceAge.Training.Evaluation;

/// <summary>
/// Reads CSV label files with a header: "path" and any of "age", "age_group", "gender", "subject", "race" (gender M/F,
/// male/female or 0/1 with UTKFace's 0 = male; age groups as "25-34" or "65+"; subject = who the photo shows, so
/// one person's photos can be kept in one fold; race as the data set names it, FairFace's seven groups or UTKFace's
/// codes 0–4). Paths are relative to the CSV's folder. Bad rows are reported with their line.
/// </summary>
public static class LabelCsvReader
{
    public static (List<LabeledFace> Faces, List<LabelError> Errors) Read(string csvPath)
    {
        if (!File.Exists(csvPath)) throw new FileNotFoundException($"Label file not found: {csvPath}", csvPath);
        var root = Path.GetDirectoryName(Path.GetFullPath(csvPath))!;
        var faces = new List<LabeledFace>();
        var errors = new List<LabelError>();
        using var reader = new StreamReader(csvPath);
        var header = reader.ReadLine()?.Split(',').Select(h => h.Trim().ToLowerInvariant()).ToArray()
                     ?? throw new InvalidDataException($"{csvPath}: empty label file.");
        int pathCol = Array.IndexOf(header, "path"), ageCol = Array.IndexOf(header, "age"), genderCol = Array.IndexOf(header, "gender"),
            groupCol = Array.IndexOf(header, "age_group"),
            subjectCol = Array.IndexOf(header, "subject"), raceCol = Array.IndexOf(header, "race");
        if (pathCol < 0 || (ageCol < 0 && genderCol < 0 && groupCol < 0))
            throw new InvalidDataException($"{csvPath}: header must have 'path' and at least one of 'age', 'age_group', 'gender'; got "
                + $"'{string.Join(',', header)}'.");
        int line = 1;
        while (reader.ReadLine() is { } row)
        {
            line++;
            if (string.IsNullOrWhiteSpace(row)) continue;
            var cells = row.Split(',');
            if (cells.Length <= new[] { pathCol, ageCol, genderCol, groupCol, subjectCol }.Max())
            {
                errors.Add(new LabelError(line, $"expected {header.Length} columns, got {cells.Length}"));
                continue;
            }
            double? age = null;
            if (ageCol >= 0)
            {
                if (!double.TryParse(cells[ageCol], NumberStyles.Float, CultureInfo.InvariantCulture, out var a) || a < 0 || a > 130)
                {
                    errors.Add(new LabelError(line, $"age '{cells[ageCol]}' is not a number in 0–130"));
                    continue;
                }
                age = a;
            }
            Gender? gender = null;
            if (genderCol >= 0)
            {
                gender = ParseGender(cells[genderCol]);
                if (gender is null && cells[genderCol].Trim().Length > 0)
                {
                    errors.Add(new LabelError(line, $"gender '{cells[genderCol]}' is not M/F"));
                    continue;
                }
            }
            AgeInterval? group = null;
            if (groupCol >= 0 && cells[groupCol].Trim().Length > 0)
            {
                group = AgeInterval.Parse(cells[groupCol]);
                if (group is null)
                {
                    errors.Add(new LabelError(line, $"age_group '{cells[groupCol].Trim()}' is not like 25-34 or 65+"));
                    continue;
                }
            }
            string? subject = subjectCol >= 0 && cells[subjectCol].Trim() is { Length: > 0 } s ? s : null;
            string? race = raceCol >= 0 && raceCol < cells.Length ? RaceName(cells[raceCol]) : null;
            var path = cells[pathCol].Trim();
            faces.Add(new LabeledFace(Path.IsPathRooted(path) ? path : Path.Combine(root, path), age, gender, group, subject, race));
        }
        return (faces, errors);
    }

    /// <summary>UTKFace's race codes as its own names; any other label as written (underscores as spaces); empty: none.</summary>
    public static string? RaceName(string text) => text.Trim() switch
    {
        "" => null,
        "0" => "White",
        "1" => "Black",
        "2" => "Asian",
        "3" => "Indian",
        "4" => "Others",
        var name => name.Replace('_', ' '),
    };

    public static Gender? ParseGender(string text) => text.Trim().ToLowerInvariant() switch
    {
        "m" or "male" or "0" => Gender.Male,
        "f" or "female" or "1" => Gender.Female,
        _ => null,
    };
}
