using System.Security.Cryptography.X509Certificates;
using FaceAge.Worker.Configuration;
using MQTTnet;

namespace FaceAge.Worker.Sinks.Mqtt;

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
            var roots = TlsTrust.LoadRoots(options.CaCertificatePath);
            tls.WithCertificateValidationHandler(args => TlsTrust.Validate(args.Certificate, args.SslPolicyErrors, roots));
        }
        if (!string.IsNullOrEmpty(options.ClientCertificatePath))
            tls.WithClientCertificates(new X509Certificate2Collection(TlsTrust.LoadClientCertificate(options.ClientCertificatePath, options.ClientKeyPath!)));
    };
}
