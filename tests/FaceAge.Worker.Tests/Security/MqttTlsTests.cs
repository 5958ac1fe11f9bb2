using System.Net;
using FaceAge.Worker.Tests.Support;

namespace FaceAge.Worker.Tests.Security;

/// <summary>
/// The worker against a real mosquitto that requires TLS, a client certificate and a password (password
/// file made with mosquitto_passwd; certificates made by the test). The password comes from a file and
/// must never appear in the worker's output.
/// </summary>
public class MqttTlsTests
{
    private const string User = "faceage", Secret = "pw-7f3a9c2e1b";

    private static async Task<(Mosquitto Broker, TestCertificates Certs)> SecureBrokerAsync()
    {
        var certs = TestCertificates.Create("broker");
        var passwd = Path.Combine(certs.Directory, "passwd");
        using (var tool = new ChildProcess("mosquitto_passwd", ["-b", "-c", passwd, User, Secret]))
            Assert.Equal(0, await tool.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        if (!OperatingSystem.IsWindows()) TestCertificates.Readable(certs.Directory);
        var broker = await Mosquitto.StartAsync(listener: false, extraConfig:
            $"listener {{port}} 127.0.0.1\nallow_anonymous false\npassword_file {passwd}\n" +
            $"cafile {certs.CaPath}\ncertfile {certs.ServerCertPath}\nkeyfile {certs.ServerKeyPath}\nrequire_certificate true\n");
        return (broker, certs);
    }

    private static WorkerProcess Worker(int port, object mqtt)
    {
        var video = TestVideos.FromPhotos(["sample1.jpg"], seconds: 3, gap: 1);
        return WorkerProcess.Start([new { Id = "door", Url = video, Loop = true, MaxFps = 5 }], port, embeddedBroker: false, new() { ["Mqtt"] = mqtt });
    }

    private static async Task<HttpStatusCode> ReadyAsync(WorkerProcess worker, TimeSpan within)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + within;
        HttpStatusCode last = 0;
        while (DateTime.UtcNow < deadline)
        {
            try { last = (await http.GetAsync($"http://127.0.0.1:{worker.HttpPort}/readyz")).StatusCode; } catch (HttpRequestException) { }
            if (last == HttpStatusCode.OK) return last;
            await Task.Delay(500);
        }
        return last;
    }

    [Fact]
    public async Task Worker_connects_with_a_validated_server_certificate_a_client_certificate_and_a_password_file()
    {
        var (broker, certs) = await SecureBrokerAsync();
        using var _ = broker;
        var passwordFile = Path.Combine(certs.Directory, "mqtt-password");
        File.WriteAllText(passwordFile, Secret + "\n");
        using var worker = Worker(broker.Port, new
        {
            Mode = "External", Host = "127.0.0.1", Port = broker.Port, UseTls = true, CaCertificatePath = certs.CaPath,
            ClientCertificatePath = certs.ClientCertPath, ClientKeyPath = certs.ClientKeyPath, Username = User, PasswordFile = passwordFile,
                ClientId = "faceage-tls",
        });

        Assert.Equal(HttpStatusCode.OK, await ReadyAsync(worker, TimeSpan.FromSeconds(60)));
        var metrics = await worker.MetricsAsync();
        Assert.Equal(1, WorkerProcess.MetricValue(metrics, "faceage_mqtt_connected"));
        Assert.True(WorkerProcess.MetricValue(metrics, "faceage_mqtt_published_total{kind=\"status\"}") >= 1);
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain(Secret, worker.AllOutput);
    }

    [Fact]
    public async Task A_broker_certificate_from_another_ca_is_refused_and_said_so()
    {
        var (broker, certs) = await SecureBrokerAsync();
        using var _ = broker;
        var otherCa = TestCertificates.Create("other");
        using var worker = Worker(broker.Port, new
        {
            Mode = "External", Host = "127.0.0.1", Port = broker.Port, UseTls = true, CaCertificatePath = otherCa.CaPath,
            ClientCertificatePath = certs.ClientCertPath, ClientKeyPath = certs.ClientKeyPath, Username = User, Password = Secret, ClientId = "faceage-tls",
        });

        await worker.Process.WaitForOutputAsync("TLS failed", TimeSpan.FromSeconds(60));
        Assert.NotEqual(HttpStatusCode.OK, await ReadyAsync(worker, TimeSpan.FromSeconds(3)));
        Assert.Equal(0, WorkerProcess.MetricValue(await worker.MetricsAsync(), "faceage_mqtt_connected"));
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain(Secret, worker.AllOutput);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_never_logged()
    {
        var (broker, certs) = await SecureBrokerAsync();
        using var _ = broker;
        const string wrong = "wrong-pw-55aa11";
        using var worker = Worker(broker.Port, new
        {
            Mode = "External", Host = "127.0.0.1", Port = broker.Port, UseTls = true, CaCertificatePath = certs.CaPath,
            ClientCertificatePath = certs.ClientCertPath, ClientKeyPath = certs.ClientKeyPath, Username = User, Password = wrong, ClientId = "faceage-tls",
        });

        await worker.Process.WaitForOutputAsync("refused the connection", TimeSpan.FromSeconds(60));
        Assert.NotEqual(HttpStatusCode.OK, await ReadyAsync(worker, TimeSpan.FromSeconds(3)));
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain(wrong, worker.AllOutput);
    }
}
