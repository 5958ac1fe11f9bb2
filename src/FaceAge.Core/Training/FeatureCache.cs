namespace FaceAge.Core.Training;

/// <summary>
/// Backbone features of labelled images, computed once and kept on disk so that training heads again is
/// fast. One file per backbone model ("features-&lt;model sha256 prefix&gt;.bin"); each record is keyed by the
/// SHA-256 of the image file's bytes, so renamed or moved images still hit and changed images miss.
/// Records hold one feature vector per view (e.g. the crop and its mirror). Append-only; a truncated last
/// record (a killed run) is ignored on load.
/// </summary>
public sealed class FeatureCache
{
    private const uint Magic = 0x46414643; // "FAFC"
    private readonly Dictionary<string, float[][]> _entries = new(StringComparer.Ordinal);

    private FeatureCache(string path, int dimension)
    {
        Path = path;
        Dimension = dimension;
    }

    public string Path { get; }
    public int Dimension { get; }
    public int Count => _entries.Count;

    /// <summary>Opens (or starts) the cache for a backbone in <paramref name="folder"/>.</summary>
    public static FeatureCache Open(string folder, string modelSha256, int dimension)
    {
        Directory.CreateDirectory(folder);
        var cache = new FeatureCache(System.IO.Path.Combine(folder, $"features-{modelSha256[..16]}.bin"), dimension);
        cache.Load();
        return cache;
    }

    public static string HashOf(string file) => Models.ModelIntegrity.Sha256Of(file);

    public bool TryGet(string imageSha256, out float[][] views) => _entries.TryGetValue(imageSha256, out views!);

    public void Add(string imageSha256, float[][] views)
    {
        if (views.Length is 0 or > 255 || views.Any(v => v.Length != Dimension))
            throw new ArgumentException($"Expected 1–255 views of {Dimension} values.", nameof(views));
        if (!_entries.TryAdd(imageSha256, views)) return;
        bool header = !File.Exists(Path) || new FileInfo(Path).Length == 0;
        using var writer = new BinaryWriter(new FileStream(Path, FileMode.Append, FileAccess.Write));
        if (header)
        {
            writer.Write(Magic);
            writer.Write(Dimension);
        }
        writer.Write(Convert.FromHexString(imageSha256));
        writer.Write((byte)views.Length);
        foreach (var v in views)
            foreach (var x in v) writer.Write(x);
    }

    private void Load()
    {
        if (!File.Exists(Path)) return;
        using var reader = new BinaryReader(File.OpenRead(Path));
        if (reader.BaseStream.Length < 8) return;
        if (reader.ReadUInt32() != Magic || reader.ReadInt32() != Dimension)
            throw new InvalidDataException($"{Path} is not a feature cache of {Dimension}-value vectors; delete it to rebuild.");
        long recordBytes(int views) => 32 + 1 + (long)views * Dimension * sizeof(float);
        while (reader.BaseStream.Position + 33 <= reader.BaseStream.Length)
        {
            var hash = Convert.ToHexStringLower(reader.ReadBytes(32));
            int views = reader.ReadByte();
            if (reader.BaseStream.Position - 33 + recordBytes(views) > reader.BaseStream.Length) break; // truncated tail
            var data = new float[views][];
            for (int v = 0; v < views; v++)
            {
                data[v] = new float[Dimension];
                for (int k = 0; k < Dimension; k++) data[v][k] = reader.ReadSingle();
            }
            _entries[hash] = data;
        }
    }
}
