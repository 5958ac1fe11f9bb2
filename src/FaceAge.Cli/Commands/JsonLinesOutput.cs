namespace FaceAge.Cli.Commands;

/// <summary>Where analyze and compare write their JSON lines: a file (--out), else stdout flushed line by line.</summary>
internal static class JsonLinesOutput
{
    public static StreamWriter Open(string? file)
        => file is not null ? new StreamWriter(file) : new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
}
