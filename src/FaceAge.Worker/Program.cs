using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Pipeline;
using FaceAge.Worker.Publishing;
using Prometheus;

// FaceAge worker: cameras → detection → tracking → batched age/gender → per-person events over MQTT.
if (args.Length > 0 && args[0] == "bench") return await FaceAge.Worker.Benchmark.BenchRunner.RunAsync(args[1..]);
// The worker runs in the folder of its settings: the working folder or the nearest one above holding
// appsettings.json (`dotnet run --project src/FaceAge.Worker` starts in the project folder), else the
// program's own folder. Relative paths in the settings (demo video, models) are relative to it.
Directory.SetCurrentDirectory(SettingsFolder());
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = Directory.GetCurrentDirectory() });
if (Environment.GetEnvironmentVariable("FACEAGE_CONFIG") is { Length: > 0 } extra) builder.Configuration.AddJsonFile(Path.GetFullPath(extra), optional: false);
builder.Configuration.AddEnvironmentVariables("FACEAGE_");
builder.Configuration.AddCommandLine(args);
builder.Host.UseSystemd();
builder.Host.UseWindowsService(o => o.ServiceName = "FaceAge");

WorkerSettings settings;
try
{
    settings = WorkerSettings.Load(builder.Configuration);
}
catch (ConfigurationException e)
{
    Console.Error.WriteLine($"faceage-worker: configuration error: {e.Message}");
    return 1;
}

var httpUrls = builder.Configuration["Http:Urls"] is { Length: > 0 } urls ? urls : "http://127.0.0.1:9464";
builder.WebHost.UseUrls(httpUrls);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(settings.Mqtt);
builder.Services.AddSingleton(new WorkerMetrics());
builder.Services.AddSingleton(new Topics(settings.Mqtt.TopicPrefix, settings.Sharding.Enabled ? settings.ReplicaOrdinal : null));
if (settings.Sharding.Enabled)
    Console.WriteLine($"faceage-worker: replica {settings.ReplicaOrdinal} of {settings.Sharding.Replicas}; cameras: {(settings.Cameras.Count == 0 ? "none" : string.Join(", ", settings.Cameras.Select(c => c.Id)))}");
builder.Services.AddHostedService<EmbeddedBroker>();   // before the pipeline, so the publisher finds it
builder.Services.AddSingleton(new FaceAge.Worker.LiveView.LiveViewState(settings.LiveView));
builder.Services.AddSingleton<PipelineService>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<PipelineService>());

var app = builder.Build();
foreach (var warning in settings.Warnings) app.Logger.LogWarning("{Warning}", warning);
app.MapMetrics("/metrics");
app.MapGet("/healthz", (PipelineService p) => p.Started ? Results.Ok("ok") : Results.StatusCode(503));
app.MapGet("/readyz", (PipelineService p) => p.Ready ? Results.Ok("ready") : Results.StatusCode(503));
if (settings.LiveView.Enabled)
    FaceAge.Worker.Http.LiveViewEndpoints.Map(app, app.Services.GetRequiredService<FaceAge.Worker.LiveView.LiveViewState>(), settings.LiveView.ShouldBlur(httpUrls));
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

static string SettingsFolder()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "appsettings.json"))) return dir.FullName;
    return AppContext.BaseDirectory;
}
