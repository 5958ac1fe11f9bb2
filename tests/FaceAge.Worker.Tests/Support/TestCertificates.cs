using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FaceAge.Worker.Tests.Support;

/// <summary>A private CA with a server certificate for 127.0.0.1/localhost and a client certificate, as PEM files made by the test.</summary>
public sealed class TestCertificates
{
    public required string Directory { get; init; }
    public string CaPath => Path.Combine(Directory, "ca.pem");
    public string ServerCertPath => Path.Combine(Directory, "server.pem");
    public string ServerKeyPath => Path.Combine(Directory, "server.key");
    public string ClientCertPath => Path.Combine(Directory, "client.pem");
    public string ClientKeyPath => Path.Combine(Directory, "client.key");

    public static TestCertificates Create(string name)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("faceage-certs-" + name).FullName;
        var certs = new TestCertificates { Directory = dir };
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest($"CN=FaceAge test CA {name}", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        File.WriteAllText(certs.CaPath, ca.ExportCertificatePem());

        Issue(ca, "CN=127.0.0.1", server: true, now, certs.ServerCertPath, certs.ServerKeyPath);
        Issue(ca, "CN=faceage-worker", server: false, now, certs.ClientCertPath, certs.ClientKeyPath);
        if (!OperatingSystem.IsWindows()) Readable(dir);
        return certs;
    }

    /// <summary>mosquitto started as root reads its files after switching to the "mosquitto" user: let it.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static void Readable(string dir)
    {
        const UnixFileMode file = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(dir, file | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        foreach (var f in System.IO.Directory.GetFiles(dir)) File.SetUnixFileMode(f, file);
    }

    private static void Issue(X509Certificate2 ca, string subject, bool server, DateTimeOffset now, string certPath, string keyPath)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        using var cert = request.Create(ca, now.AddDays(-1), now.AddDays(29), serial);
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }
}
