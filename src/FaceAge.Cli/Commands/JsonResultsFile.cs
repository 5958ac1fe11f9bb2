using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceAge.Cli.Commands;

/// <summary>
/// The JSON files that eval, the benches and face-check training write: indented, with the serializer options made
/// once (CA1869).
/// </summary>
internal static class JsonResultsFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly JsonSerializerOptions IndentedWithNamedFloats = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write<T>(string path, T results) => File.WriteAllText(path, JsonSerializer.Serialize(results, Indented));

    /// <summary>As <see cref="Write"/>, with NaN written as "NaN": metrics a data set's labels do not allow are NaN.</summary>
    public static void WriteWithNaN<T>(string path, T results) => File.WriteAllText(path, JsonSerializer.Serialize(results, IndentedWithNamedFloats));
}
