using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using FaceAge.Worker.Configuration;
using MQTTnet;

namespace FaceAge.Worker.Publishing;

/// <summary>
/// TLS to an external broker: the broker's certificate must chain to Mqtt:CaCertificatePath (or to the
/// system's roots when that is empty) and match Mqtt:Host; optionally a client certificate (PEM).
/// Nothing is accepted unvalidated.
/// </summary>
public static class BrokerTls
{
    public static Action<MqttClientTlsOptionsBuilder> Options(MqttOptions options) => tls =>
    {
        tls.UseTls();
        tls.WithSslProtocols(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
        if (!string.IsNullOrEmpty(options.CaCertificatePath))
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(options.CaCertificatePath);
            tls.WithCertificateValidationHandler(args => Validate(args.Certificate, args.SslPolicyErrors, roots));
        }
        if (!string.IsNullOrEmpty(options.ClientCertificatePath))
        {
            using var pem = X509Certificate2.CreateFromPemFile(options.ClientCertificatePath, options.ClientKeyPath);
            // SslStream on Linux wants the key in a PKCS#12-backed certificate.
            tls.WithClientCertificates(new X509Certificate2Collection(X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)));
        }
    };

    /// <summary>Valid when the name matches and the chain ends at one of <paramref name="roots"/> (a private CA).</summary>
    public static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA rarely publishes revocation lists
        var given = certificate as X509Certificate2;
        using var loaded = given is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        return chain.Build(given ?? loaded!);
    }
}
