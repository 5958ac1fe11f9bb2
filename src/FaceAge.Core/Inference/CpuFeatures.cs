using System.Runtime.Intrinsics.X86;
using System.Text;

namespace FaceAge.Core.Inference;

/// <summary>
/// The CPU as ONNX Runtime sees it: model name and the instruction sets that pick its int8 and float kernels,
/// read with CPUID (so an emulated CPU reports what it emulates, unlike /proc/cpuinfo).
/// </summary>
public sealed record CpuFeatures(string Model, bool Avx2, bool Avx512, bool Avx512Vnni, bool AvxVnni, int Cores)
{
    public static CpuFeatures Current { get; } = Read();

    /// <summary>VNNI (AVX-512 or AVX) sums u8×s8 products in 32 bits; without it ONNX Runtime pairs them in saturating 16 bits.</summary>
    public bool Vnni => Avx512Vnni || AvxVnni;

    /// <summary>"avx2 avx512f avx512_vnni" style list, as /proc/cpuinfo names them.</summary>
    public string Flags => string.Join(' ',
        new[] { (Avx2, "avx2"), (Avx512, "avx512f"), (Avx512Vnni, "avx512_vnni"), (AvxVnni, "avx_vnni") }.Where(f => f.Item1).Select(f => f.Item2));

    public override string ToString() => $"{Model}, {Cores} cores, {(Flags.Length > 0 ? Flags : "no AVX2")}";

    private static CpuFeatures Read()
    {
        int cores = Environment.ProcessorCount;
        if (!X86Base.IsSupported) return new CpuFeatures(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(), false, false, false,
            false, cores);
        var (maxLeaf, _, _, _) = X86Base.CpuId(0, 0);
        bool avx2 = false, avx512 = false, avx512Vnni = false, avxVnni = false;
        if (maxLeaf >= 7)
        {
            var (_, ebx, ecx, _) = X86Base.CpuId(7, 0);
            avx2 = (ebx & (1 << 5)) != 0 && System.Runtime.Intrinsics.X86.Avx2.IsSupported;        // and enabled by the OS
            avx512 = (ebx & (1 << 16)) != 0 && System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
            avx512Vnni = avx512 && (ecx & (1 << 11)) != 0;
            var (eax1, _, _, _) = X86Base.CpuId(7, 1);
            avxVnni = avx2 && (eax1 & (1 << 4)) != 0;
        }
        return new CpuFeatures(BrandString(), avx2, avx512, avx512Vnni, avxVnni, cores);
    }

    private static string BrandString()
    {
        var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
        if ((uint)maxExtended < 0x80000004) return "x86-64";
        var text = new StringBuilder();
        for (uint leaf = 0x80000002; leaf <= 0x80000004; leaf++)
        {
            var (a, b, c, d) = X86Base.CpuId(unchecked((int)leaf), 0);
            foreach (var register in new[] { a, b, c, d })
                for (int i = 0; i < 4; i++)
                    if ((char)((register >> (8 * i)) & 0xFF) is var ch and not '\0') text.Append(ch);
        }
        return text.ToString().Trim();
    }
}

/// <summary>What a benchmark ran on, for its JSON: the CPU and its int8-relevant features, the cores, ONNX Runtime and the OS.</summary>
public sealed record MachineDescription(string Cpu, string Flags, bool Vnni, int Cores, string OnnxRuntime, string Os)
{
    public static MachineDescription Current()
    {
        var cpu = CpuFeatures.Current;
        return new MachineDescription(cpu.Model, cpu.Flags, cpu.Vnni, cpu.Cores, Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString(),
            System.Runtime.InteropServices.RuntimeInformation.OSDescription);
    }
}
