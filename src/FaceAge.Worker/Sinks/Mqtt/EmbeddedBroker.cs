using System.Net;
using FaceAge.Worker.Configuration;
using MQTTnet.Server;

namespace FaceAge.Worker.Sinks.Mqtt;

/// <summary>
/// The MQTT broker inside the worker (Mqtt:Mode = Embedded), so a single process is a complete system. Clients that
/// leave the client id empty and let the broker choose — mosquitto_sub and mosquitto_pub by default, and many
/// others — are given one: MQTT 5 in the CONNACK's Assigned Client Identifier, MQTT 3.1.1 with a clean session as
/// the spec allows (§3.1.3.1; without a clean session the spec says to refuse, and it is refused).
/// </summary>
public sealed class EmbeddedBroker(MqttOptions options, ILogger<EmbeddedBroker> logger) : IHostedService, IDisposable
{
    private MqttServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Mode != BrokerMode.Embedded) return;
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(options.BindAddress))
            .WithDefaultEndpointPort(options.Port)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(serverOptions,
            [new ClientIdAssigningAdapter(new MQTTnet.Server.Internal.Adapter.MqttTcpServerAdapter())]);
        _server.ValidatingConnectionAsync += e =>
        {
            // MQTT 5: the server picks the id and tells the client (MQTTnet applies it for version 5 only).
            if (string.IsNullOrEmpty(e.ClientId)) e.AssignedClientIdentifier = ClientIdAssigningAdapter.NewClientId();
            return Task.CompletedTask;
        };
        RetainedSubscribeCatchUp.Attach(_server);
        try
        {
            await _server.StartAsync();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
        {
            throw new ConfigurationException($"Mqtt:Port {options.Port} on {options.BindAddress} cannot be opened for the embedded broker: {e.Message}");
        }
        logger.LogInformation("Embedded MQTT broker listening on {Address}:{Port}", options.BindAddress, options.Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync();
    }

    public void Dispose() => _server?.Dispose();
}
