using FaceAge.Core.Audience;
using FaceAge.Core.Estimation;
using System.Security.Cryptography;
using System.Text;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using FaceAge.Worker.LiveView;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Reports;
using FaceAge.Worker.Sinks.Mqtt;
using FaceAge.Worker.Sinks.Outbox;
using FaceAge.Worker.Sinks.Webhook;

namespace FaceAge.Worker.Hosting;

/// <summary>
/// The sinks the settings enable, each with its own outbox: MQTT (Mqtt:Enabled), one webhook per Webhook:Urls entry; the live
/// page; the report store (Reports:Enabled).
/// </summary>
public static class SinkSetup
{
    public static EventHub Create(WorkerSettings settings, WorkerMetrics metrics, ILoggerFactory loggers, LiveViewState? liveView = null)
    {
        var sinks = new List<IEventSink>();
        var cameras = settings.Cameras.Where(c => c.Enabled).ToList();
        if (settings.Mqtt.Enabled)
        {
            var topics = new MqttTopics(settings.Mqtt.TopicPrefix, settings.Sharding.Enabled ? settings.ReplicaOrdinal : null);
            var discovery = settings.HomeAssistant.Enabled
                ? HomeAssistantDiscovery.Messages(settings.HomeAssistant, topics, cameras.Select(c => (c.Id, c.Name))) : null;
            var outbox = new SqliteOutbox(settings.Outbox.ResolvedPath(), "mqtt", settings.Outbox, metrics, loggers.CreateLogger<SqliteOutbox>());
            sinks.Add(new MqttSink(settings.Mqtt, topics, cameras.Count, outbox, metrics, loggers.CreateLogger<MqttSink>(), discovery));
        }
        var urls = settings.Webhook.Urls ?? [];
        for (int i = 0; i < urls.Length; i++)
        {
            // The outbox file is named by the URL, so reordering Webhook:Urls never sends one receiver's backlog to another.
            var file = $"webhook-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(urls[i])))[..12]}.db";
            var name = urls.Length == 1 ? "webhook" : $"webhook-{i + 1}";
            var outbox = new SqliteOutbox(settings.Outbox.PathFor(file), name, settings.Outbox, metrics, loggers.CreateLogger<SqliteOutbox>(),
                origin: "Outbox:Path (the webhook's outbox beside it)");
            sinks.Add(new WebhookSink(name, new Uri(urls[i]), settings.Webhook, WebhookSink.Handler(settings.Webhook), outbox, metrics,
                loggers.CreateLogger<WebhookSink>()));
        }
        if (liveView is not null && settings.LiveView.Enabled) sinks.Add(liveView);
        if (settings.Reports.Enabled)
        {
            var store = new ReportStore(settings.Reports.ResolvedPath(settings.Outbox), settings.Reports.Retention, settings.Reports.MaxWindows);
            var errors = settings.Statistics.LoadErrorModel(settings.Analysis)
                ?? AudienceErrorModel.None(new AgeGroups(settings.Analysis.EffectiveAgeGroups).LowerBounds);
            sinks.Add(new ReportSink(store, errors, settings.Statistics.Correct, metrics, loggers.CreateLogger<ReportSink>()));
        }
        return new EventHub(sinks, loggers.CreateLogger<EventHub>());
    }

}
