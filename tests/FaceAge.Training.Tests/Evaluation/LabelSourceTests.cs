using FaceAge.Core.Analysis;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training.Tests.Evaluation;

public class LabelSourceTests
{
    private static string Folder() => Directory.CreateTempSubdirectory("faceage-labels").FullName;

    private static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [0xFF, 0xD8]);
    }

    [Fact]
    public void UtkFace_names_give_age_and_gender_and_bad_names_are_reported()
    {
        var dir = Folder();
        Touch(Path.Combine(dir, "25_0_2_20170116174525125.jpg.chip.jpg"));
        Touch(Path.Combine(dir, "3_1_0_20170109194452834.jpg"));
        Touch(Path.Combine(dir, "holiday.jpg"));
        Touch(Path.Combine(dir, "40_7_1_20170109.jpg"));
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not an image, not a label");

        var (faces, errors) = LabelSource.Read(dir);

        Assert.Equal([(25.0, Gender.Male), (3.0, Gender.Female)], faces.Select(f => (f.Age!.Value, f.Gender!.Value)).OrderByDescending(x => x.Item1));
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Message.StartsWith("holiday.jpg: name does not start with an age"));
        Assert.Contains(errors, e => e.Message.StartsWith("40_7_1_20170109.jpg: gender '7'"));
    }

    [Fact]
    public void Folder_per_age_gives_the_folder_name_as_age()
    {
        var dir = Folder();
        Touch(Path.Combine(dir, "7", "a.jpg"));
        Touch(Path.Combine(dir, "7", "b.png"));
        Touch(Path.Combine(dir, "63", "c.jpg"));
        File.WriteAllText(Path.Combine(dir, "63", "readme.md"), "x");

        var (faces, errors) = LabelSource.Read(dir);

        Assert.Equal([7.0, 7.0, 63.0], faces.Select(f => f.Age!.Value).Order());
        Assert.All(faces, f => Assert.Null(f.Gender));
        Assert.Equal("63/readme.md: not an image file", Assert.Single(errors).Message);
    }

    [Fact]
    public void Csv_with_age_groups_reads_groups_and_reports_bad_ones_with_line_numbers()
    {
        var dir = Folder();
        var csv = Path.Combine(dir, "labels.csv");
        File.WriteAllLines(csv, ["path,age_group,gender", "a.jpg,25-34,F", "b.jpg,65+,M", "c.jpg,old,M", "d.jpg,34-25,F"]);

        var (faces, errors) = LabelSource.Read(csv);

        Assert.Equal(["25-34", "65+"], faces.Select(f => f.AgeGroup.ToString()));
        Assert.Equal([new AgeInterval(25, 34), new AgeInterval(65, null)], faces.Select(f => f.AgeGroup!.Value));
        Assert.All(faces, f => Assert.Null(f.Age));
        Assert.Equal([4, 5], errors.Select(e => e.Line));
        Assert.All(errors, e => Assert.Contains("is not like 25-34 or 65+", e.Message));
    }

    [Fact]
    public void Csv_with_ages_and_subjects_and_no_gender_reads_each_persons_photos()
    {
        var dir = Folder();
        var csv = Path.Combine(dir, "labels.csv");
        File.WriteAllLines(csv, ["path,age,subject", "001A02.JPG,2,001", "001A05.JPG,5,001", "002A10.JPG,10,002"]);

        var (faces, errors) = LabelSource.Read(csv);

        Assert.Empty(errors);
        Assert.Equal(["001", "001", "002"], faces.Select(f => f.Subject));
        Assert.Equal([2.0, 5.0, 10.0], faces.Select(f => f.Age!.Value));
        Assert.All(faces, f => Assert.Null(f.Gender));
        Assert.All(faces, f => Assert.True(f.HasAgeLabel));
    }

    [Fact]
    public void Missing_labels_are_an_error_naming_the_path()
        => Assert.Contains("/nonexistent/labels", Assert.Throws<FileNotFoundException>(() => LabelSource.Read("/nonexistent/labels")).Message);
}
