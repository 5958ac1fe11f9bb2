using FaceAge.Core.Analysis;
using FaceAge.Training.Evaluation;

namespace FaceAge.Training.Tests.Evaluation;

public class LabelCsvReaderTests
{
    [Fact]
    public void Reads_rows_resolves_paths_and_reports_bad_rows_with_line_numbers()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-labels");
        var csv = Path.Combine(dir.FullName, "labels.csv");
        File.WriteAllLines(csv,
        [
            "path,age,gender,race",
            "images/a.jpg,34,F,1",
            "images/b.jpg,abc,M,0",
            "images/c.jpg,7,X,0",
            "images/d.jpg,61,M,",
            "short",
        ]);
        var (faces, errors) = LabelCsvReader.Read(csv);
        Assert.Equal(2, faces.Count);
        Assert.Equal(Path.Combine(dir.FullName, "images/a.jpg"), faces[0].Path);
        Assert.Equal((34.0, Gender.Female), (faces[0].Age!.Value, faces[0].Gender!.Value));
        Assert.Equal((61.0, Gender.Male), (faces[1].Age!.Value, faces[1].Gender!.Value));
        // UTKFace's race codes by its own names; an empty cell is no group.
        Assert.Equal(["Black", null], faces.Select(f => f.Race));
        Assert.Equal([3, 4, 6], errors.Select(e => e.Line));
        Assert.Contains("abc", errors[0].Message);
        dir.Delete(true);
    }

    [Fact]
    public void Race_groups_are_read_as_the_data_set_names_them()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-labels");
        var csv = Path.Combine(dir.FullName, "labels.csv");
        File.WriteAllLines(csv, ["path,age_group,gender,race", "a.jpg,20-29,F,Latino_Hispanic", "b.jpg,3-9,M,East Asian"]);
        var (faces, errors) = LabelCsvReader.Read(csv);
        Assert.Empty(errors);
        Assert.Equal(["Latino Hispanic", "East Asian"], faces.Select(f => f.Race));
        dir.Delete(true);
    }

    [Fact]
    public void Missing_columns_are_an_error_naming_the_file()
    {
        var csv = Path.GetTempFileName();
        File.WriteAllText(csv, "file,years\nx.jpg,3\n");
        var e = Assert.Throws<InvalidDataException>(() => LabelCsvReader.Read(csv));
        Assert.Contains(csv, e.Message);
    }
}
