namespace FaceAge.Training.Tests;

public class FeatureCacheTests
{
    private const string Model = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static string Hash(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));

    [Fact]
    public void Features_survive_reopening_keyed_by_image_hash_per_model()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-features").FullName;
        var cache = FeatureCache.Open(dir, Model, 3);
        cache.Add(Hash(1), [[1, 2, 3], [3, 2, 1]]);
        cache.Add(Hash(2), [[4, 5, 6]]);

        var reopened = FeatureCache.Open(dir, Model, 3);
        Assert.Equal(2, reopened.Count);
        Assert.True(reopened.TryGet(Hash(1), out var views));
        Assert.Equal([[1f, 2, 3], [3f, 2, 1]], views);
        Assert.False(reopened.TryGet(Hash(3), out _));
        // Another backbone has its own file.
        Assert.Equal(0, FeatureCache.Open(dir, "f" + Model[1..], 3).Count);
    }

    [Fact]
    public void A_truncated_last_record_from_a_killed_run_is_ignored()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-features").FullName;
        var cache = FeatureCache.Open(dir, Model, 4);
        cache.Add(Hash(1), [[1, 2, 3, 4]]);
        cache.Add(Hash(2), [[5, 6, 7, 8]]);
        using (var f = new FileStream(cache.Path, FileMode.Open)) f.SetLength(f.Length - 5);
        var reopened = FeatureCache.Open(dir, Model, 4);
        Assert.Equal(1, reopened.Count);
        Assert.True(reopened.TryGet(Hash(1), out _));
    }

    [Fact]
    public void A_cache_of_another_dimension_is_an_error_naming_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-features").FullName;
        FeatureCache.Open(dir, Model, 4).Add(Hash(1), [[1, 2, 3, 4]]);
        var e = Assert.Throws<InvalidDataException>(() => FeatureCache.Open(dir, Model, 5));
        Assert.Contains("features-", e.Message);
    }

    [Fact]
    public void Half_precision_vectors_have_their_own_file_and_come_back_exactly()
    {
        var dir = Directory.CreateTempSubdirectory("faceage-features").FullName;
        var cache = FeatureCache<Half>.Open(dir, "lastblock", Model, 3);
        cache.Add(Hash(1), [[(Half)1.5, (Half)(-2), (Half)0.1], [(Half)3, (Half)4, (Half)5]]);
        var reopened = FeatureCache<Half>.Open(dir, "lastblock", Model, 3);
        Assert.True(reopened.TryGet(Hash(1), out var views));
        Assert.Equal([(Half)1.5, (Half)(-2), (Half)0.1], views[0]);
        Assert.StartsWith("lastblock-", Path.GetFileName(reopened.Path));
        // A float cache is never read as halves, whatever the file is called.
        File.Copy(reopened.Path, Path.Combine(dir, "features-" + Model[..16] + ".bin"));
        Assert.Throws<InvalidDataException>(() => FeatureCache.Open(dir, Model, 3));
    }
}
