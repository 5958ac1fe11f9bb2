using Microsoft.Extensions.Logging;

namespace FaceAge.Cli.Commands;

/// <summary>Log lines from the core (warnings such as an execution-provider fallback) go to stderr, never stdout.</summary>
public static class CliLogging
{
    public static ILoggerFactory Factory { get; } = LoggerFactory.Create(b => b
        .SetMinimumLevel(LogLevel.Warning)
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o => o.SingleLine = true));
}
