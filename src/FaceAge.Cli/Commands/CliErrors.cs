using FaceAge.Core.Imaging;

namespace FaceAge.Cli.Commands;

/// <summary>Turns expected failures (bad settings, missing model, unreadable input) into one error line and exit code 1.</summary>
public static class CliErrors
{
    public static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or ImageDecodeException or NotSupportedException
                                      or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>A problem that does not stop the command (e.g. a label row that cannot be read), on stderr.</summary>
    public static void Warning(string message) => Console.Error.WriteLine($"warning: {message}");
}
