namespace FaceAge.Testing;

/// <summary>
/// The six photos in npm @vladmandic/face-api@1.7.15 demo/ (groups of young women), with the face
/// counts verified by looking at each photo.
/// </summary>
public static class SamplePhotos
{
    public static readonly IReadOnlyDictionary<string, int> FaceCounts = new Dictionary<string, int>
    {
        ["sample1.jpg"] = 3,
        ["sample2.jpg"] = 3,
        ["sample3.jpg"] = 3,
        ["sample4.jpg"] = 4,
        ["sample5.jpg"] = 5,
        ["sample6.jpg"] = 4,
    };

    public static string PathOf(string name)
    {
        var path = Path.Combine(RepoPaths.SamplePhotos, name);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: run models setup (it extracts the sample photos).");
        return path;
    }
}
