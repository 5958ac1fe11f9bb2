namespace FaceAge.Worker.Tests.Support;

/// <summary>
/// The python3 the tests' helper scripts run with: Debian's, which carries the apt packages they import (python3-gi for
/// the RTSP server, python3-opencv for the scene maker; build.sh installs them). A pyenv python3 earlier on PATH would not.
/// </summary>
public static class DebianPython
{
    public static string Executable => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}
