using System.Runtime.InteropServices;

namespace FaceAge.Worker.Hosting;

/// <summary>
/// Turns off the Intel IPP paths inside the bundled OpenCV for the worker, unless OPENCV_IPP is already set. On these
/// AMD EPYC machines IPP checks the CPU vendor on every call (icv_ipp_is_GenuineIntel, a CPUID that a virtual machine
/// traps): a profile of 8 streams put 5 % of the worker's samples there, and the age/gender stage's pixel work fell
/// from 0.105 to 0.003 cores without it (`faceage-worker bench --streams 8`, docs/benchmarks.md). OpenCV's own SIMD
/// code gives the same results (the sample photos' analysis is identical either way). OpenCV reads the variable once,
/// at its first IPP call, so this runs first thing; it prints one "IPP was disabled" warning then.
/// </summary>
public static partial class OpenCvIpp
{
    public const string Variable = "OPENCV_IPP";

    /// <returns>True when IPP is now off by this call; false when the variable was set already (the user's choice stands) or there is no libc.</returns>
    public static bool DisableUnlessSet()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is not null) return false;
        try
        {
            // Native code reads the C environment, which Environment.SetEnvironmentVariable does not change on Linux.
            return setenv(Variable, "disabled", 0) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
