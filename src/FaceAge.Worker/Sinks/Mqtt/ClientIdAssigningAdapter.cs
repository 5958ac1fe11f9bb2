using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace FaceAge.Worker.Sinks.Mqtt;

/// <summary>
/// The embedded broker's TCP listener, giving MQTT 3.1.1 clients that connect with an empty client id and a clean
/// session an id of their own before the broker sees the CONNECT (MQTTnet assigns ids for MQTT 5 only and refuses
/// empty ones otherwise; MQTT 3.1.1 §3.1.3.1 lets a server accept them with a clean session).
/// </summary>
public sealed class ClientIdAssigningAdapter(IMqttServerAdapter inner) : IMqttServerAdapter
{
    public static string NewClientId() => "faceage-auto-" + Guid.NewGuid().ToString("N")[..12];

    public Func<IMqttChannelAdapter, Task> ClientHandler
    {
        get => inner.ClientHandler;
        set => inner.ClientHandler = value is null ? null! : channel => value(new Channel(channel));
    }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger) => inner.StartAsync(options, logger);
    public Task StopAsync() => inner.StopAsync();
    public void Dispose() => inner.Dispose();

    /// <summary>One client connection: passes everything through, filling in the first CONNECT's empty client id where allowed.</summary>
    private sealed class Channel(IMqttChannelAdapter inner) : IMqttChannelAdapter
    {
        private bool _connectSeen;

        public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
        {
            var packet = await inner.ReceivePacketAsync(cancellationToken);
            if (!_connectSeen && packet is MqttConnectPacket connect)
            {
                _connectSeen = true;
                if (string.IsNullOrEmpty(connect.ClientId) && connect.CleanSession && inner.PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.V311)
                    connect.ClientId = NewClientId();
            }
            return packet;
        }

        public long BytesReceived => inner.BytesReceived;
        public long BytesSent => inner.BytesSent;
        public X509Certificate2 ClientCertificate => inner.ClientCertificate;
        public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
        public EndPoint LocalEndPoint => inner.LocalEndPoint;
        public bool IsSecureConnection => inner.IsSecureConnection;
        public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;
        public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);
        public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);
        public void ResetStatistics() => inner.ResetStatistics();
        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => inner.SendPacketAsync(packet, cancellationToken);
        public void Dispose() => inner.Dispose();
    }
}
