using System.Text.RegularExpressions;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Integration;

/// <summary>The worker's first lines: quiet in a real shell's environment, loud about a real typo.</summary>
public partial class WorkerStartUpTests
{
    [GeneratedRegex(@"Unknown setting '(?<key>[^']+)'")]
    private static partial Regex UnknownSetting();

    /// <summary>Variables a user's shell, a container or CI typically has (none of them settings).</summary>
    private static Dictionary<string, string> ShellEnvironment() => new()
    {
        ["TERM"] = "xterm-256color", ["SHELL"] = "/bin/bash", ["LANG"] = "C.UTF-8", ["LC_ALL"] = "C.UTF-8", ["COLORTERM"] = "truecolor",
        ["DEBIAN_FRONTEND"] = "noninteractive", ["SSL_CERT_FILE"] = "/etc/ssl/certs/ca-certificates.crt",
            ["CURL_CA_BUNDLE"] = "/etc/ssl/certs/ca-certificates.crt",
        ["REQUESTS_CA_BUNDLE"] = "/etc/ssl/certs/ca-certificates.crt", ["NODE_EXTRA_CA_CERTS"] = "/etc/ssl/certs/ca-certificates.crt", ["EDITOR"] = "vim",
        ["PAGER"] = "less", ["LESS"] = "-R", ["HISTSIZE"] = "10000", ["HISTFILESIZE"] = "20000", ["XDG_RUNTIME_DIR"] = "/run/user/1000",
        ["XDG_SESSION_TYPE"] = "tty", ["XDG_CONFIG_HOME"] = "/root/.config", ["SSH_CLIENT"] = "10.0.0.2 50514 22", ["SSH_TTY"] = "/dev/pts/0",
        ["LOGNAME"] = "operator", ["USERNAME"] = "operator", ["MAIL"] = "/var/mail/operator", ["PYTHONDONTWRITEBYTECODE"] = "1", ["PIP_NO_CACHE_DIR"] = "1",
        ["GIT_PAGER"] = "cat", ["npm_config_cache"] = "/tmp/npm", ["NUGET_PACKAGES"] = "/root/.nuget/packages", ["JAVA_HOME"] = "/usr/lib/jvm/default",
        ["GOPATH"] = "/root/go", ["CARGO_HOME"] = "/root/.cargo", ["RUSTUP_HOME"] = "/root/.rustup", ["TZ"] = "Europe/Berlin", ["CI"] = "true",
        ["HOSTNAME"] = "box-1", ["container"] = "docker", ["http_proxy"] = "", ["NO_PROXY"] = "localhost,127.0.0.1",
            ["Logging__Console__FormatterName"] = "simple",
        ["MQTT_HOST"] = "broker.lan", ["PORT"] = "8080", ["APP_ENV"] = "production", ["VERSION"] = "1.2.3", ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1",
        ["KUBERNETES_SERVICE_PORT"] = "443", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1", ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["FACEAGE_MODELS"] = FaceAge.Testing.RepoPaths.Models,
    };

    private static async Task<List<string>> WarnedKeysAsync(Dictionary<string, string> environment, Dictionary<string, object>? sections = null,
        Action<string>? editSettings = null)
    {
        using var worker = WorkerProcess.Start([new { Id = "cam", Url = "rtsp://127.0.0.1:9/none" }], Ports.Free(), embeddedBroker: true, sections,
            environment);
        await worker.Process.WaitForOutputAsync("Embedded MQTT broker listening", TimeSpan.FromSeconds(60));
        await Task.Delay(1000);
        var keys = UnknownSetting().Matches(worker.Process.Output).Select(m => m.Groups["key"].Value).ToList();
        await worker.Process.StopAsync(TimeSpan.FromSeconds(30));
        return keys;
    }

    [Fact]
    public async Task A_realistic_shell_environment_gives_no_unknown_setting_warning()
    {
        var environment = ShellEnvironment();
        Assert.True(environment.Count >= 40);
        Assert.Empty(await WarnedKeysAsync(environment));
    }

    [Fact]
    public async Task A_misspelt_faceage_variable_and_a_misspelt_settings_key_give_one_warning_each_naming_the_key()
    {
        var environment = ShellEnvironment();
        environment["FACEAGE_Pipeline__SamplesPerSecondPerTrak"] = "1";
        var keys = await WarnedKeysAsync(environment, new() { ["Fusion"] = new { ReentryWindow = "00:00:03", ReentrySimilarty = 0.7 } });
        Assert.Equal(["Fusion:ReentrySimilarty", "Pipeline:SamplesPerSecondPerTrak"], keys.Order());
    }
}
