using FaceAge.Core.Analysis;
using FaceAge.Core.Fusion;
using FaceAge.Core.Tracking;

namespace FaceAge.Worker.Configuration;

/// <summary>Everything the worker reads from configuration, validated at start-up.</summary>
public sealed record WorkerSettings(
    IReadOnlyList<CameraOptions> Cameras, AnalyzerOptions Analysis, PipelineOptions Pipeline, TrackerOptions Tracking,
    FusionOptions Fusion, WatchdogOptions Watchdog, MqttOptions Mqtt)
{
    public LiveViewOptions LiveView { get; init; } = new();
    public ShardingOptions Sharding { get; init; } = new();
    public HomeAssistantOptions HomeAssistant { get; init; } = new();
    public OutboxOptions Outbox { get; init; } = new();
    public WebhookOptions Webhook { get; init; } = new();
    public StatisticsOptions Statistics { get; init; } = new();
    public ReportsOptions Reports { get; init; } = new();
    public AttentionOptions Attention { get; init; } = new();
    /// <summary>What the configuration said that nothing reads, as warnings for the log.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Every section the worker reads, with the type it binds to.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Sections = new Dictionary<string, Type>
    {
        ["Cameras"] = typeof(List<CameraOptions>), ["Analysis"] = typeof(AnalyzerOptions), ["Pipeline"] = typeof(PipelineOptions),
        ["Tracking"] = typeof(TrackerOptions), ["Fusion"] = typeof(FusionOptions), ["Watchdog"] = typeof(WatchdogOptions), ["Mqtt"] = typeof(MqttOptions),
        ["LiveView"] = typeof(LiveViewOptions), ["Sharding"] = typeof(ShardingOptions), ["HomeAssistant"] = typeof(HomeAssistantOptions),
        ["Outbox"] = typeof(OutboxOptions), ["Webhook"] = typeof(WebhookOptions), ["Http"] = typeof(HttpSection),
        ["Statistics"] = typeof(StatisticsOptions), ["Reports"] = typeof(ReportsOptions), ["Attention"] = typeof(AttentionOptions),
    };

    /// <summary>The Http section (read directly by Program: the addresses the HTTP server listens on).</summary>
    public sealed record HttpSection(string? Urls = null);

    /// <summary>This worker's replica ordinal when sharded (see <see cref="ShardingOptions"/>), else 0.</summary>
    public int ReplicaOrdinal { get; init; }

    /// <param name="userSettings">
    /// The settings the user wrote (settings files, FACEAGE_ variables, command line) — checked for unknown keys; the
    /// host's other sources (every environment variable of the shell) are not settings. Null: <paramref name="configuration"/>.
    /// </param>
    /// <param name="validate">Off for the bench, which replaces the cameras and the broker before validating.</param>
    public static WorkerSettings Load(IConfiguration configuration, IConfiguration? userSettings = null, bool validate = true)
    {
        T Bind<T>(string section) where T : new()
        {
            try
            {
                // Unknown keys do not stop start-up; they are reported as warnings (UnknownSettings).
                return configuration.GetSection(section).Get<T>() ?? new T();
            }
            catch (InvalidOperationException e)
            {
                throw new ConfigurationException($"{section}: {e.Message}");
            }
        }
        var pipeline = Bind<PipelineOptions>("Pipeline");
        var attention = Bind<AttentionOptions>("Attention");
        var analysis = pipeline.ApplyTo(Bind<AnalyzerOptions>("Analysis"));
        // The turn check only serves attention: without it, the estimator need not run it.
        if (!attention.Enabled) analysis = analysis with { TurnCheck = "" };
        var settings = new WorkerSettings(
            Bind<List<CameraOptions>>("Cameras"), analysis, pipeline,
            Bind<TrackerOptions>("Tracking"), Bind<FusionOptions>("Fusion"), Bind<WatchdogOptions>("Watchdog"), Bind<MqttOptions>("Mqtt"))
        {
            LiveView = Bind<LiveViewOptions>("LiveView"),
            Sharding = Bind<ShardingOptions>("Sharding"),
            HomeAssistant = Bind<HomeAssistantOptions>("HomeAssistant"),
            Outbox = Bind<OutboxOptions>("Outbox"),
            Webhook = Bind<WebhookOptions>("Webhook"),
            Statistics = Bind<StatisticsOptions>("Statistics"),
            Reports = Bind<ReportsOptions>("Reports"),
            Attention = attention,
            Warnings = UnknownSettings.Find(userSettings ?? configuration, Sections).Select(k => $"Unknown setting '{k}' is ignored (a typo?).").ToList(),
        };
        if (!validate) return settings;
        var errors = settings.Validate().ToList();
        if (errors.Count == 0 && settings.Sharding.Enabled)
        {
            var (ordinal, error) = settings.Sharding.ResolveOrdinal();
            if (error is not null) errors.Add(error);
            else settings = settings.ForReplica(ordinal!.Value);
        }
        if (errors.Count > 0) throw new ConfigurationException(string.Join(" ", errors));
        return settings;
    }

    /// <summary>
    /// The settings of replica <paramref name="ordinal"/>: its share of the cameras, and an MQTT client id
    /// of its own (a broker disconnects the older of two clients with the same id).
    /// </summary>
    public WorkerSettings ForReplica(int ordinal) => this with
    {
        Cameras = Sharding.Select(Cameras, ordinal),
        Mqtt = Mqtt with { ClientId = $"{Mqtt.ClientId}-{ordinal}" },
        ReplicaOrdinal = ordinal,
    };

    public IEnumerable<string> Validate()
    {
        var enabled = Cameras.Where(c => c.Enabled).ToList();
        if (enabled.Count == 0) yield return "Cameras: at least one enabled camera is needed.";
        foreach (var e in Sharding.Validate()) yield return e;
        for (int i = 0; i < Cameras.Count; i++)
            foreach (var e in Cameras[i].Validate($"Cameras:{i}")) yield return e;
        foreach (var id in Cameras.GroupBy(c => c.Id).Where(g => g.Count() > 1).Select(g => g.Key))
            yield return $"Cameras: Id '{id}' is used twice.";
        foreach (var e in Analysis.Validate()) yield return e;
        foreach (var e in Pipeline.Validate()) yield return e;
        foreach (var e in Tracking.Validate()) yield return e;
        foreach (var e in Fusion.Validate()) yield return e;
        foreach (var e in Watchdog.Validate()) yield return e;
        foreach (var e in Mqtt.Validate()) yield return e;
        foreach (var e in LiveView.Validate()) yield return e;
        foreach (var e in HomeAssistant.Validate()) yield return e;
        foreach (var e in Outbox.Validate()) yield return e;
        foreach (var e in Webhook.Validate()) yield return e;
        foreach (var e in Statistics.Validate()) yield return e;
        foreach (var e in Reports.Validate()) yield return e;
        foreach (var e in Attention.Validate()) yield return e;
        if (!Mqtt.Enabled && !Webhook.Enabled) yield return "Mqtt:Enabled is false and Webhook:Urls is empty: events would go nowhere.";
    }
}

