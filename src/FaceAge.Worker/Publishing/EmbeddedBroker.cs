using System.Net;
using FaceAge.Worker.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace FaceAge.Worker.Publishing;

/// <summary>The MQTT broker inside the worker (Mqtt:Mode = Embedded), so a single process is a complete system.</summary>
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
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
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
