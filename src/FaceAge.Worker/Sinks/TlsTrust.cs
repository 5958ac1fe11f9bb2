using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace FaceAge.Worker.Sinks;

/// <summary>
/// TLS trust for the sinks' receivers (MQTT broker, webhook receivers): a server certificate must match the host
/// name and chain to a configured private CA (or, without one, to the system's roots); optionally a client
/// certificate from PEM files. Nothing is accepted unvalidated.
/// </summary>
public static class TlsTrust
{
    /// <summary>The CA certificates of a PEM file.</summary>
    public static X509Certificate2Collection LoadRoots(string pemPath)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(pemPath);
        return roots;
    }

    /// <summary>A client certificate with its key, from PEM files, in the PKCS#12-backed form SslStream on Linux wants.</summary>
    public static X509Certificate2 LoadClientCertificate(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Valid when the name matches and the chain ends at one of <paramref name="roots"/> (a private CA).</summary>
    public static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
            || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA rarely publishes revocation lists
        var given = certificate as X509Certificate2;
        using var loaded = given is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        return chain.Build(given ?? loaded!);
    }
}
