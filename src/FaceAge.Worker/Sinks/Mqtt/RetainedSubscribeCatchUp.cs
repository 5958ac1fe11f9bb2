using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace FaceAge.Worker.Sinks.Mqtt;

/// <summary>
/// Closes a gap in MQTTnet's broker (5.2): a SUBSCRIBE reads the retained messages before the subscription is
/// registered, so a retained message published in between reaches that subscriber neither as retained nor live —
/// a Home Assistant or dashboard subscribing while the worker comes up could miss its "online" status for good.
/// Every retained change gets a sequence number; a SUBSCRIBE notes the number when it arrives; once its subscription
/// is in place, the retained messages it matches that changed since are delivered to that client. At worst a
/// subscriber sees such a state twice, which MQTT allows (retained topics carry states, not events).
/// </summary>
public sealed class RetainedSubscribeCatchUp
{
    private const string ArrivedAtKey = "faceage.subscribe-arrived-at";
    private readonly MqttServer _server;
    private readonly ConcurrentDictionary<string, Change> _lastChange = new(StringComparer.Ordinal);
    private long _sequence;

    private readonly record struct Change(long Sequence, string Publisher);

    private RetainedSubscribeCatchUp(MqttServer server) => _server = server;

    /// <summary>Hooks the catch-up into a broker; call before it starts.</summary>
    public static void Attach(MqttServer server)
    {
        var catchUp = new RetainedSubscribeCatchUp(server);
        server.RetainedMessageChangedAsync += catchUp.OnRetainedChanged;
        server.InterceptingInboundPacketAsync += catchUp.OnInboundPacket;
        server.ClientSubscribedTopicAsync += catchUp.OnSubscribed;
    }

    private Task OnRetainedChanged(RetainedMessageChangedEventArgs e)
    {
        // Raised after the store changed and before the publish is dispatched to subscribers, so a SUBSCRIBE that
        // noted an earlier number either read this message or is registered in time for the live copy.
        var sequence = Interlocked.Increment(ref _sequence);
        var topic = e.ChangedRetainedMessage.Topic;
        if (e.ChangedRetainedMessage.Payload.Length == 0) _lastChange.TryRemove(topic, out _);
        else _lastChange[topic] = new Change(sequence, e.ClientId ?? "");
        return Task.CompletedTask;
    }

    private Task OnInboundPacket(InterceptingPacketEventArgs e)
    {
        if (e.Packet is MqttSubscribePacket) e.SessionItems[ArrivedAtKey] = Interlocked.Read(ref _sequence);
        return Task.CompletedTask;
    }

    private async Task OnSubscribed(ClientSubscribedTopicEventArgs e)
    {
        if (e.SessionItems[ArrivedAtKey] is not long arrivedAt) return;
        var filter = e.TopicFilter;
        if (filter.RetainHandling == MqttRetainHandling.DoNotSendOnSubscribe || filter.Topic.StartsWith("$share/", StringComparison.Ordinal)) return;
        List<string>? missed = null;
        foreach (var (topic, change) in _lastChange)
        {
            if (change.Sequence <= arrivedAt) continue;
            if (filter.NoLocal && change.Publisher == e.ClientId) continue;
            if (MqttTopicFilterComparer.Compare(topic, filter.Topic) != MqttTopicFilterCompareResult.IsMatch) continue;
            (missed ??= []).Add(topic);
        }
        if (missed is null) return;
        var session = await _server.GetSessionAsync(e.ClientId);
        if (session is null) return;
        foreach (var topic in missed)
        {
            var message = await _server.GetRetainedMessageAsync(topic);
            if (message is null) continue;
            var qos = (MqttQualityOfServiceLevel)Math.Min((int)message.QualityOfServiceLevel, (int)filter.QualityOfServiceLevel);
            session.TryEnqueueApplicationMessage(new MqttApplicationMessageBuilder()
                .WithTopic(message.Topic)
                .WithPayload(message.Payload)
                .WithContentType(message.ContentType)
                .WithQualityOfServiceLevel(qos)
                .WithRetainFlag()
                .Build(), out _);
        }
    }
}
