using FaceAge.Models.Tfjs;

namespace FaceAge.Models.Tests.Tfjs;

public class TfjsWeightReaderTests
{
    private static TfjsWeight Decode(TfjsWeightReader.WeightSpec spec, byte[] bytes)
    {
        int offset = 0;
        var w = TfjsWeightReader.Decode(spec, bytes, ref offset);
        Assert.Equal(bytes.Length, offset);
        return w;
    }

    [Fact]
    public void Uint8_quantized_floats_are_scale_times_q_plus_min()
    {
        var w = Decode(new("w", [3], "float32", "uint8", Min: -1f, Scale: 0.5f), [0, 2, 255]);
        Assert.Equal([-1f, 0f, 126.5f], w.Floats!);
    }

    [Fact]
    public void Uint16_quantized_floats_are_little_endian()
    {
        var w = Decode(new("w", [2], "float32", "uint16", Min: 10f, Scale: 0.25f), [4, 0, 0, 1]); // 4, 256
        Assert.Equal([11f, 74f], w.Floats!);
    }

    [Fact]
    public void Float16_weights_are_widened()
    {
        var half = BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)1.5f))
            .Concat(BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)(-0.25f)))).ToArray();
        var w = Decode(new("w", [2], "float32", "float16", 0, 1), half);
        Assert.Equal([1.5f, -0.25f], w.Floats!);
    }

    [Fact]
    public void Int32_weights_keep_their_values()
    {
        var w = Decode(new("shape", [2], "int32", null, 0, 1), BitConverter.GetBytes(-1).Concat(BitConverter.GetBytes(1024)).ToArray());
        Assert.Equal([-1, 1024], w.Ints!);
    }

    [Fact]
    public void Shards_shorter_than_the_manifest_are_an_error_naming_the_weight()
    {
        int offset = 0;
        var e = Assert.Throws<InvalidDataException>(() => TfjsWeightReader.Decode(new("conv/kernel", [4], "float32", null, 0, 1), new byte[8], ref offset));
        Assert.Contains("conv/kernel", e.Message);
    }
}
