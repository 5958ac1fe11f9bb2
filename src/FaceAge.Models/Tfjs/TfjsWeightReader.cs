using System.Buffers.Binary;
using System.Text.Json;

namespace FaceAge.Models.Tfjs;

/// <summary>
/// Reads TF.js weight shards. Each manifest group lists shard files that are concatenated and then
/// cut into weights in manifest order. Quantized weights are stored as float16, or as uint8/uint16
/// with value = q * scale + min (affine quantization).
/// </summary>
public static class TfjsWeightReader
{
    public static Dictionary<string, TfjsWeight> Read(JsonElement manifest, string directory)
    {
        var result = new Dictionary<string, TfjsWeight>();
        foreach (var group in manifest.EnumerateArray())
        {
            var bytes = new List<byte>();
            foreach (var path in group.GetProperty("paths").EnumerateArray())
            {
                var file = Path.Combine(directory, path.GetString()!);
                if (!File.Exists(file)) throw new FileNotFoundException($"TF.js weight shard not found: {file}", file);
                bytes.AddRange(File.ReadAllBytes(file));
            }
            var data = bytes.ToArray();
            int offset = 0;
            foreach (var w in group.GetProperty("weights").EnumerateArray())
            {
                var spec = WeightSpec.Parse(w);
                var weight = Decode(spec, data, ref offset);
                result[spec.Name] = weight;
            }
            if (offset != data.Length)
                throw new InvalidDataException($"Weight shards {string.Join(", ", group.GetProperty("paths").EnumerateArray())} hold {data.Length} bytes "
                    + $"but the manifest describes {offset}.");
        }
        return result;
    }

    public sealed record WeightSpec(string Name, long[] Shape, string DType, string? QuantDType, float Min, float Scale)
    {
        public static WeightSpec Parse(JsonElement w)
        {
            var shape = w.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            string? q = null; float min = 0, scale = 1;
            if (w.TryGetProperty("quantization", out var quant))
            {
                q = quant.GetProperty("dtype").GetString();
                if (quant.TryGetProperty("min", out var m)) min = m.GetSingle();
                if (quant.TryGetProperty("scale", out var s)) scale = s.GetSingle();
            }
            return new WeightSpec(w.GetProperty("name").GetString()!, shape, w.GetProperty("dtype").GetString()!, q, min, scale);
        }

        public long Count => Shape.Aggregate(1L, (a, b) => a * b);
    }

    public static TfjsWeight Decode(WeightSpec spec, ReadOnlySpan<byte> data, ref int offset)
    {
        int count = checked((int)spec.Count);
        int elementSize = spec.QuantDType switch
        {
            null => spec.DType is "bool" ? 1 : 4,
            "float16" or "uint16" => 2,
            "uint8" => 1,
            _ => throw new NotSupportedException($"Weight '{spec.Name}': quantization dtype '{spec.QuantDType}' is not supported."),
        };
        int length = count * elementSize;
        if (offset + length > data.Length)
            throw new InvalidDataException($"Weight '{spec.Name}' runs past the end of its shards ({offset + length} > {data.Length} bytes).");
        var bytes = data.Slice(offset, length);
        offset += length;

        switch (spec.DType)
        {
            case "float32":
                var floats = new float[count];
                for (int i = 0; i < count; i++)
                    floats[i] = spec.QuantDType switch
                    {
                        null => BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4)),
                        "float16" => (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(i * 2))),
                        "uint16" => BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(i * 2)) * spec.Scale + spec.Min,
                        _ => bytes[i] * spec.Scale + spec.Min,
                    };
                return new TfjsWeight(spec.Name, spec.Shape, TfjsDataType.Float32, floats, null, null);
            case "int32":
                var ints = new int[count];
                for (int i = 0; i < count; i++)
                    ints[i] = spec.QuantDType switch
                    {
                        null => BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice(i * 4)),
                        "uint16" => (int)MathF.Round(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(i * 2)) * spec.Scale + spec.Min),
                        "uint8" => (int)MathF.Round(bytes[i] * spec.Scale + spec.Min),
                        _ => throw new NotSupportedException($"Weight '{spec.Name}': int32 with {spec.QuantDType} quantization."),
                    };
                return new TfjsWeight(spec.Name, spec.Shape, TfjsDataType.Int32, null, ints, null);
            case "bool":
                var bools = new bool[count];
                for (int i = 0; i < count; i++) bools[i] = bytes[i] != 0;
                return new TfjsWeight(spec.Name, spec.Shape, TfjsDataType.Bool, null, null, bools);
            default:
                throw new NotSupportedException($"Weight '{spec.Name}': dtype '{spec.DType}' is not supported.");
        }
    }
}
