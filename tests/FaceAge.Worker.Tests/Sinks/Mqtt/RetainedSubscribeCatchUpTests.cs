using System.Net;
using FaceAge.Worker.Sinks.Mqtt;
using FaceAge.Worker.Tests.Support;
using MQTTnet;
using MQTTnet.Server;

namespace FaceAge.Worker.Tests.Sinks.Mqtt;

/// <summary>
/// A retained state published while a client's SUBSCRIBE is being handled must still reach that client. The broker
/// here is a real MQTTnet server on 127.0.0.1; the publish is made to land exactly inside the subscribe handling
/// (from the broker's own subscription interceptor), the moment a worker and a dashboard starting together hit by chance.
/// </summary>
public class RetainedSubscribeCatchUpTests
{
    private const string Topic = "race/worker/status";

    /// <summary>A broker that publishes the retained state while a "race/#" subscription is being set up.</summary>
    private static async Task<(MqttServer Server, int Port)> StartBrokerAsync(bool catchUp, bool publishDuringSubscribe)
    {
        int port = Ports.Free();
        var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder()
            .WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port).Build());
        if (catchUp) RetainedSubscribeCatchUp.Attach(server);
        if (publishDuringSubscribe)
        {
            server.InterceptingSubscriptionAsync += async e =>
            {
                if (e.TopicFilter.Topic == "race/#") await PublishStateAsync(server, "online");
            };
        }
        await server.StartAsync();
        return (server, port);
    }

    private static Task PublishStateAsync(MqttServer server, string state)
        => server.InjectApplicationMessage(new InjectedMqttApplicationMessage(new MqttApplicationMessageBuilder()
            .WithTopic(Topic).WithPayload($"{{\"state\":\"{state}\"}}").WithRetainFlag()
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build()) { SenderClientId = "worker" });

    private static string[] States(MqttCollector c) => c.Messages.Where(m => m.Topic == Topic).Select(m => m.Payload).ToArray();

    [Fact]
    public async Task A_state_published_while_the_subscription_is_set_up_reaches_the_subscriber()
    {
        var (server, port) = await StartBrokerAsync(catchUp: true, publishDuringSubscribe: true);
        using (server)
        {
            await using var dashboard = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(10), "race/#");
            await dashboard.WaitUntilAsync(c => States(c).Length > 0, TimeSpan.FromSeconds(10), "the retained state published during the subscribe");
            await Task.Delay(500);
            Assert.Equal("{\"state\":\"online\"}", Assert.Single(States(dashboard)));
        }
    }

    [Fact]
    public async Task Without_the_catch_up_the_broker_loses_that_state_which_is_the_gap_it_closes()
    {
        // If MQTTnet closes the gap itself this fails, and the catch-up can go.
        var (server, port) = await StartBrokerAsync(catchUp: false, publishDuringSubscribe: true);
        using (server)
        {
            await using var dashboard = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(10), "race/#");
            await Task.Delay(1500);
            Assert.Empty(States(dashboard));
            Assert.NotNull(await server.GetRetainedMessageAsync(Topic));   // it is retained: a later subscriber would get it
        }
    }

    [Fact]
    public async Task A_state_retained_before_the_subscribe_arrives_once_and_later_changes_arrive_live()
    {
        var (server, port) = await StartBrokerAsync(catchUp: true, publishDuringSubscribe: false);
        using (server)
        {
            await PublishStateAsync(server, "online");
            await using var dashboard = await MqttCollector.ConnectAsync(port, TimeSpan.FromSeconds(10), "race/#");
            await dashboard.WaitUntilAsync(c => States(c).Length > 0, TimeSpan.FromSeconds(10), "the retained state");
            await PublishStateAsync(server, "offline");
            await dashboard.WaitUntilAsync(c => States(c).Length > 1, TimeSpan.FromSeconds(10), "the live change");
            await Task.Delay(500);
            Assert.Equal(["{\"state\":\"online\"}", "{\"state\":\"offline\"}"], States(dashboard));
        }
    }
}
