using Prometheus;

namespace FaceAge.Worker.Metrics;

/// <summary>The worker's Prometheus metrics (names documented in docs/metrics.md).</summary>
public sealed class WorkerMetrics
{
    public WorkerMetrics(CollectorRegistry? registry = null)
    {
        var f = Prometheus.Metrics.WithCustomRegistry(registry ?? Prometheus.Metrics.DefaultRegistry);
        FramesDecoded = f.CreateCounter("faceage_frames_decoded_total", "Frames read from a camera.", "camera");
        FramesDropped = f.CreateCounter("faceage_frames_dropped_total", "Frames or crops dropped because a stage was behind.", "camera", "stage");
        CameraUp = f.CreateGauge("faceage_camera_up", "1 while the camera delivers frames, else 0.", "camera");
        Reconnects = f.CreateCounter("faceage_camera_reconnects_total", "Reader restarts after a dropped, frozen or slow stream.", "camera");
        Detections = f.CreateCounter("faceage_detections_total", "Faces detected.", "camera");
        TilePasses = f.CreateCounter("faceage_detector_tile_passes_total",
            "Frames due for the detector's small-face tiles (Pipeline:TilesEveryNthFrame): run, or postponed because the camera's detector was behind.",
            "camera", "outcome");
        TracksActive = f.CreateGauge("faceage_tracks_active", "Confirmed face tracks now.", "camera");
        PersonsPublished = f.CreateCounter("faceage_persons_published_total", "Person events produced.", "camera", "age_group", "gender");
        Viewers = f.CreateCounter("faceage_viewers_total", "Published persons who looked at the screen for at least Attention:MinSeconds.",
            "camera", "age_group", "gender");
        AttentionSeconds = f.CreateHistogram("faceage_attention_seconds", "Seconds each published person looked at the screen.",
            new HistogramConfiguration { LabelNames = ["camera"], Buckets = [0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300] });
        InferenceSeconds = f.CreateHistogram("faceage_inference_seconds", "Duration of one model run.", new HistogramConfiguration
        {
            LabelNames = ["model"],
            Buckets = Histogram.ExponentialBuckets(0.002, 2, 12),
        });
        BatchSize = f.CreateHistogram("faceage_inference_batch_size", "Crops per age/gender run.",
            new HistogramConfiguration { Buckets = [1, 2, 3, 4, 6, 8, 12, 16, 32, 64] });
        PipelineLatency = f.CreateHistogram("faceage_pipeline_latency_seconds", "From frame capture to its age/gender sample being fused.",
            new HistogramConfiguration
        {
            Buckets = Histogram.ExponentialBuckets(0.01, 1.6, 14),
        });
        MqttPublished = f.CreateCounter("faceage_mqtt_published_total", "MQTT messages the broker accepted.", "kind");
        MqttFailed = f.CreateCounter("faceage_mqtt_failed_total", "MQTT messages that could not be published.", "kind");
        MqttConnected = f.CreateGauge("faceage_mqtt_connected", "1 while connected to the MQTT broker.");
        PersonsRelinked = f.CreateCounter("faceage_persons_relinked_total", "New tracks found to continue a person seen shortly before, by the face "
            + "descriptor: a broken track repaired or a return within Fusion:ReentryWindow.", "camera");
        IdentitySwitches = f.CreateCounter("faceage_track_identity_switches_total",
            "Tracks split because two samples in a row resembled none of the track's earlier ones: the track jumped to another face (an ID switch).", "camera");
        PersonsFiltered = f.CreateCounter("faceage_persons_filtered_total",
            "Persons not published: not_a_face (no sample passed the face check), low_quality (no usable sample), too_few_samples.", "camera", "reason");
        StageCpu = f.CreateCounter("faceage_stage_cpu_seconds_total",
            "CPU seconds the worker's own stages spent (detect and estimate include their model runs).", "stage");
        ReportWindowsDeleted = f.CreateCounter("faceage_report_windows_deleted_total",
            "Statistics windows deleted from the report store by Reports:Retention or Reports:MaxWindows.");
        ModelCpu = f.CreateCounter("faceage_model_cpu_seconds_total", "CPU seconds inside model runs, per model file.", "model");
        SamplingRate = f.CreateGauge("faceage_sampling_rate",
            "Age/gender samples per track per second over the last 10 s (below Pipeline:SamplesPerSecondPerTrack when the estimator is saturated).");
        DetectorDuty = f.CreateGauge("faceage_detector_duty",
            "Share of the time detector runs may take (1: unpaced; lower while the machine's CPU is above Pipeline:MachineCpuTarget).");
        QueueDepth = f.CreateGauge("faceage_queue_depth", "Items waiting in a pipeline queue.", "stage");
        OutboxMessages = f.CreateGauge("faceage_outbox_messages", "Messages waiting in a sink's outbox for the receiver's acknowledgement.", "sink");
        OutboxDiscarded = f.CreateCounter("faceage_outbox_discarded_total", "Undelivered messages discarded because the outbox was full or they were too old.",
            "sink");
        EventsDropped = f.CreateCounter("faceage_events_dropped_total", "Events a sink could not queue (its intake was full).", "sink");
        SinkRejected = f.CreateCounter("faceage_sink_rejected_total", "Messages a receiver refused for good (dropped, logged).", "sink", "kind");
        SinkReady = f.CreateGauge("faceage_sink_ready", "1 while a sink can deliver (connected, receiver answering).", "sink");
        WebhookPosted = f.CreateCounter("faceage_webhook_posted_total", "Webhook POSTs the receiver acknowledged (2xx).", "sink", "kind");
        WebhookFailed = f.CreateCounter("faceage_webhook_failed_total", "Webhook POSTs that failed (tried again unless refused for good).", "sink", "kind");
        // Series that exist from the start (at 0), so rate() and alerts see them before the first event.
        foreach (var kind in MessageKinds)
        {
            MqttPublished.WithLabels(kind);
            MqttFailed.WithLabels(kind);
        }
    }

    /// <summary>The "kind" label values of the MQTT counters.</summary>
    public static readonly string[] MessageKinds = ["person", "person_update", "stats", "status", "occupancy", "discovery"];

    public Counter FramesDecoded { get; }
    public Counter FramesDropped { get; }
    public Gauge CameraUp { get; }
    public Gauge OutboxMessages { get; }
    public Counter EventsDropped { get; }
    public Counter SinkRejected { get; }
    public Gauge SinkReady { get; }
    public Counter WebhookPosted { get; }
    public Counter WebhookFailed { get; }
    public Counter OutboxDiscarded { get; }
    public Counter Reconnects { get; }
    public Counter Detections { get; }
    public Counter TilePasses { get; }
    public Gauge TracksActive { get; }
    public Counter PersonsPublished { get; }
    public Counter Viewers { get; }
    public Histogram AttentionSeconds { get; }
    public Histogram InferenceSeconds { get; }
    public Histogram BatchSize { get; }
    public Histogram PipelineLatency { get; }
    public Counter MqttPublished { get; }
    public Counter MqttFailed { get; }
    public Gauge MqttConnected { get; }
    public Gauge QueueDepth { get; }
    public Gauge DetectorDuty { get; }
    public Gauge SamplingRate { get; }
    public Counter ReportWindowsDeleted { get; }
    public Counter StageCpu { get; }
    public Counter PersonsFiltered { get; }
    public Counter PersonsRelinked { get; }
    public Counter IdentitySwitches { get; }
    public Counter ModelCpu { get; }
}
