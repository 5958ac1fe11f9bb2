using FaceAge.Core.Alignment;
using FaceAge.Core.Detection;
using FaceAge.Core.Imaging;
using FaceAge.Core.Sources;
using FaceAge.Core.Verification;
using OpenCvSharp;

namespace FaceAge.Training.Verification;

/// <summary>One face for the verification bench: who it is (a subject, a clip, or a one-off face), its age when known, and its embeddings.</summary>
public sealed record VerificationFace(string Set, string Identity, double? Age, string Source, Dictionary<string, float[]> Embeddings);

/// <summary>
/// Collects the faces the verification bench pairs up, each embedded by every embedder from the same detection, as
/// `faceage compare` does: the largest face the detector finds, with landmarks from <paramref name="landmarks"/>.
/// </summary>
public sealed class VerificationFaces(IFaceDetector detector, IFaceLandmarker landmarks, IReadOnlyList<IFaceEmbedder> embedders)
{
    public List<VerificationFace> Faces { get; } = [];
    public int Missed { get; private set; }
    public int WithLandmarks { get; private set; }
    public Dictionary<string, TimeSpan> EmbedTime { get; } = [];
    public TimeSpan LandmarkTime { get; private set; }
    public string Landmarker => landmarks.Name;

    /// <summary>Photos of known people with their ages (FG-NET: path,age,subject).</summary>
    public void AddSubjects(string csv)
    {
        var root = Path.GetDirectoryName(Path.GetFullPath(csv))!;
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',').Select(h => h.Trim().ToLowerInvariant()).ToList();
        int path = header.IndexOf("path"), age = header.IndexOf("age"), subject = header.IndexOf("subject");
        if (path < 0 || subject < 0) throw new InvalidDataException($"{csv}: needs the columns path and subject (and optionally age).");
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            using var image = ImageDecoder.DecodeFile(Path.Combine(root, cells[path]));
            double? trueAge = age >= 0 && double.TryParse(cells[age], System.Globalization.CultureInfo.InvariantCulture, out var a) ? a : null;
            Add("fgnet", "fgnet-" + cells[subject], trueAge, cells[path], image);
        }
    }

    /// <summary>Frames of a video that shows one person from start to end: every face found is that person.</summary>
    public void AddSinglePersonVideo(string file, double fps)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        foreach (var frame in new FfmpegFrameSource(new FrameSourceOptions(file) { MaxFps = fps }).FramesAsync().ToBlockingEnumerable())
            using (frame) Add("videos", "video-" + name, null, $"{name}@{frame.Time.TotalSeconds:0.0}s", frame.Image);
    }

    /// <summary>Face chips of people seen once each (different people from every other set).</summary>
    public void AddStrangers(IEnumerable<string> chips, string set)
    {
        int i = 0;
        foreach (var chip in chips)
        {
            using var image = ImageDecoder.DecodeFile(chip);
            Add(set, $"{set}-{i++}", null, Path.GetFileName(chip), image);
        }
    }

    private void Add(string set, string identity, double? age, string source, Mat image)
    {
        var found = detector.Detect(image).MaxBy(d => d.Box.Area);
        if (found is null)
        {
            Missed++;
            return;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var face = landmarks.WithLandmarks(image, [found])[0];
        LandmarkTime += clock.Elapsed;
        if (face.Landmarks is not null) WithLandmarks++;
        var embeddings = new Dictionary<string, float[]>();
        foreach (var e in embedders)
        {
            clock.Restart();
            embeddings[e.Name] = e.Embed(image, [face])[0];
            EmbedTime[e.Name] = EmbedTime.GetValueOrDefault(e.Name) + clock.Elapsed;
        }
        Faces.Add(new VerificationFace(set, identity, age, source, embeddings));
    }
}
