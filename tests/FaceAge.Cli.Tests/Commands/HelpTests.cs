namespace FaceAge.Cli.Tests.Commands;

public class HelpTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("analyze", "--help")]
    [InlineData("eval", "--help")]
    [InlineData("models", "--help")]
    [InlineData("models", "setup", "--help")]
    [InlineData("models", "list", "--help")]
    public void Every_command_has_help(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout);
        Assert.Contains("Options:", result.Stdout);
    }
}
