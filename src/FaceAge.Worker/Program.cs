using FaceAge.Core.Configuration;
using FaceAge.Core.Sources;
using FaceAge.Worker;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Events;
using FaceAge.Worker.Hosting;
using FaceAge.Worker.LiveView;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Pipeline;
using FaceAge.Worker.Sinks.Mqtt;
using Prometheus;

// FaceAge worker: cameras → detection → tracking → batched age/gender → per-person events to the sinks (MQTT, webhook).
NativeHeap.LimitArenas(); // before any thread allocates
OpenCvIpp.DisableUnlessSet(); // before OpenCV's first call
if (args.Length > 0 && args[0] == "bench") return await FaceAge.Worker.Benchmark.BenchCommand.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "report") return await FaceAge.Worker.Reports.ReportCommand.RunAsync(args[1..]);
// The worker runs in the folder of its settings (relative paths in them, such as the demo video, are relative to it).
Directory.SetCurrentDirectory(SettingsFile.Folder());
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = Directory.GetCurrentDirectory() });
if (Environment.GetEnvironmentVariable("FACEAGE_CONFIG") is { Length: > 0 } extra) builder.Configuration.AddJsonFile(Path.GetFullPath(extra), optional: false);
builder.Configuration.AddEnvironmentVariables(UnknownSettings.EnvironmentPrefix);
builder.Configuration.AddCommandLine(args);
builder.Host.UseSystemd();
builder.Host.UseWindowsService(o => o.ServiceName = "FaceAge");

WorkerSettings settings;
try
{
    settings = WorkerSettings.Load(builder.Configuration, UnknownSettings.UserSettings(builder.Configuration));
}
catch (ConfigurationException e)
{
    Console.Error.WriteLine($"faceage-worker: configuration error: {e.Message}");
    return 1;
}

var httpUrls = builder.Configuration["Http:Urls"] is { Length: > 0 } urls ? urls : "http://127.0.0.1:9464";
builder.WebHost.UseUrls(httpUrls);
if (settings.Sharding.Enabled)
    Console.WriteLine($"faceage-worker: replica {settings.ReplicaOrdinal} of {settings.Sharding.Replicas}; cameras: "
        + $"{(settings.Cameras.Count == 0 ? "none" : string.Join(", ", settings.Cameras.Select(c => c.Id)))}");
var metrics = new WorkerMetrics();
var liveView = new LiveViewState(settings.LiveView);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(settings.Mqtt);
builder.Services.AddSingleton(metrics);
builder.Services.AddSingleton(liveView);
builder.Services.AddSingleton<IFrameSourceFactory, FfmpegFrameSourceFactory>();
builder.Services.AddSingleton(sp => SinkSetup.Create(settings, metrics, sp.GetRequiredService<ILoggerFactory>(), settings.LiveView.Enabled ? liveView : null));
builder.Services.AddHostedService<EmbeddedBroker>();   // before the pipeline, so the MQTT sink finds it
builder.Services.AddSingleton(sp => new PipelineService(settings, metrics, sp.GetRequiredService<EventHub>(), sp.GetRequiredService<IFrameSourceFactory>(),
    sp.GetRequiredService<ILoggerFactory>(), settings.LiveView.Enabled ? liveView : null, settings.LiveView.Enabled ? liveView : null));
builder.Services.AddHostedService(sp => sp.GetRequiredService<PipelineService>());
builder.Services.AddHostedService<NativeHeapTrimmer>();

var app = builder.Build();
foreach (var warning in settings.Warnings) app.Logger.LogWarning("{Warning}", warning);
app.MapMetrics("/metrics");
app.MapGet("/healthz", (PipelineService p) => p.Started ? Results.Ok("ok") : Results.StatusCode(503));
app.MapGet("/readyz", (PipelineService p) => p.Ready ? Results.Ok("ready") : Results.StatusCode(503));
if (settings.LiveView.Enabled)
    FaceAge.Worker.Http.LiveViewEndpoints.Map(app, liveView, settings.LiveView.ShouldBlur(httpUrls),
        app.Services.GetRequiredService<EventHub>().Sinks.OfType<FaceAge.Worker.Reports.ReportSink>().SingleOrDefault());
try
{
    await app.RunAsync();
}
catch (Exception e) when (e is ConfigurationException or FaceAge.Core.ModelFiles.ModelMissingException or ArgumentException or InvalidDataException)
{
    Console.Error.WriteLine($"faceage-worker: {e.Message}");
    return 1;
}
return 0;
