using FaceAge.Testing;
using FaceAge.Worker.Configuration;
using Microsoft.Extensions.Configuration;

namespace FaceAge.Worker.Tests.Configuration;

public class UnknownSettingsTests
{
    private static WorkerSettings Load(Dictionary<string, string?> extra)
    {
        var data = new Dictionary<string, string?> { ["Cameras:0:Id"] = "cam", ["Cameras:0:Url"] = "rtsp://127.0.0.1/x" };
        foreach (var (k, v) in extra) data[k] = v;
        return WorkerSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(data).Build());
    }

    [Fact]
    public void Typos_are_warned_with_their_full_key_and_start_up_goes_on()
    {
        var settings = Load(new()
        {
            ["Pipeline:SamplesPerSecondPerTrak"] = "1",
            ["Cameras:0:Urll"] = "rtsp://x",
            ["Analysis:Detector:Tile"] = "2",
            ["Piepline:BatchSize"] = "4",
            ["Mqtt:Port"] = "1884",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        Assert.Equal(1884, settings.Mqtt.Port);
        Assert.Equal(2, settings.Pipeline.SamplesPerSecondPerTrack); // the typo did not set it
        var warned = settings.Warnings.Select(w => w.Split('\'')[1]).Order().ToList();
        Assert.Equal(["Analysis:Detector:Tile", "Cameras:0:Urll", "Piepline", "Pipeline:SamplesPerSecondPerTrak"], warned);
    }

    [Fact]
    public void Lists_dictionaries_and_nested_options_are_not_mistaken_for_typos()
    {
        var settings = Load(new()
        {
            ["Analysis:AgeGroups:0"] = "0", ["Analysis:AgeGroups:1"] = "18",
            ["Analysis:Inference:IntraOpThreads"] = "1",
            ["Cameras:0:RegionOfInterest:X"] = "10", ["Cameras:0:RegionOfInterest:Y"] = "10", ["Cameras:0:RegionOfInterest:Width"] = "100",
                ["Cameras:0:RegionOfInterest:Height"] = "100",
            ["Tracking:MaxLostTime"] = "00:00:02",
            ["Http:Urls"] = "http://127.0.0.1:9999",
        });
        Assert.Empty(settings.Warnings);
    }

    [Theory]
    [InlineData("appsettings.json")]
    [InlineData("deploy/docker/appsettings.json")]
    public void Shipped_settings_files_have_no_unknown_keys(string file)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoPaths.Root, file)).Build();
        Assert.Empty(UnknownSettings.Find(configuration, WorkerSettings.Sections));
    }
}
