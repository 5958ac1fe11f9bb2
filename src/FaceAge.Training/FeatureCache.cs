using System.Runtime.InteropServices;

namespace FaceAge.Training;

/// <summary>Opens feature caches.</summary>
public static class FeatureCache
{
    /// <summary>Opens (or starts) the float cache of backbone features ("features-&lt;key prefix&gt;.bin") in <paramref name="folder"/>.</summary>
    public static FeatureCache<float> Open(string folder, string key, int dimension) => FeatureCache<float>.Open(folder, "features", key, dimension);
}

/// <summary>
/// Per-image vectors computed once by a backbone and kept on disk so that training again is fast. One file per
/// backbone and crop setting ("&lt;kind&gt;-&lt;key prefix&gt;.bin"); each record is keyed by the SHA-256 of the
/// image file's bytes, so renamed or moved images still hit and changed images miss. Records hold one vector per
/// view (e.g. the crop and its mirror). Append-only; a truncated last record (a killed run) is ignored on load.
/// <typeparamref name="T"/> is float for head features, Half for the larger last-block activations.
/// </summary>
public sealed class FeatureCache<T> where T : unmanaged
{
    // "FAFC" for float; other element types add their size so a file is never read as the wrong type.
    private static readonly uint Magic = 0x46414643u + (Marshal.SizeOf<T>() == sizeof(float) ? 0u : (uint)Marshal.SizeOf<T>() << 24);
    private readonly Dictionary<string, T[][]> _entries = new(StringComparer.Ordinal);

    private FeatureCache(string path, int dimension)
    {
        Path = path;
        Dimension = dimension;
    }

    public string Path { get; }
    public int Dimension { get; }
    public int Count => _entries.Count;

    public static FeatureCache<T> Open(string folder, string kind, string key, int dimension)
    {
        Directory.CreateDirectory(folder);
        var cache = new FeatureCache<T>(System.IO.Path.Combine(folder, $"{kind}-{key[..16]}.bin"), dimension);
        cache.Load();
        return cache;
    }

    public bool TryGet(string imageSha256, out T[][] views) => _entries.TryGetValue(imageSha256, out views!);

    public void Add(string imageSha256, T[][] views)
    {
        if (views.Length is 0 or > 255 || views.Any(v => v.Length != Dimension))
            throw new ArgumentException($"Expected 1–255 views of {Dimension} values.", nameof(views));
        if (!_entries.TryAdd(imageSha256, views)) return;
        bool header = !File.Exists(Path) || new FileInfo(Path).Length == 0;
        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write);
        using var writer = new BinaryWriter(stream);
        if (header)
        {
            writer.Write(Magic);
            writer.Write(Dimension);
        }
        writer.Write(Convert.FromHexString(imageSha256));
        writer.Write((byte)views.Length);
        writer.Flush();
        foreach (var v in views) stream.Write(MemoryMarshal.AsBytes(v.AsSpan()));
    }

    private void Load()
    {
        if (!File.Exists(Path)) return;
        using var stream = new BufferedStream(File.OpenRead(Path), 1 << 20);
        long length = stream.Length;
        if (length < 8) return;
        var head = new byte[8];
        stream.ReadExactly(head);
        if (BitConverter.ToUInt32(head, 0) != Magic || BitConverter.ToInt32(head, 4) != Dimension)
            throw new InvalidDataException($"{Path} is not a feature cache of {Dimension}-value {typeof(T).Name} vectors; delete it to rebuild.");
        long position = 8, vectorBytes = (long)Dimension * Marshal.SizeOf<T>();
        var key = new byte[33];
        while (position + 33 <= length)
        {
            stream.ReadExactly(key);
            int views = key[32];
            if (position + 33 + views * vectorBytes > length) break; // truncated tail
            var data = new T[views][];
            for (int v = 0; v < views; v++)
            {
                data[v] = new T[Dimension];
                stream.ReadExactly(MemoryMarshal.AsBytes(data[v].AsSpan()));
            }
            _entries[Convert.ToHexStringLower(key.AsSpan(0, 32))] = data;
            position += 33 + views * vectorBytes;
        }
    }
}
