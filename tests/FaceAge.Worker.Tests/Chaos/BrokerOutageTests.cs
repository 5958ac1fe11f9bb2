using System.Text.Json;
using System.Text.RegularExpressions;
using FaceAge.Worker.Tests.Support;
using Xunit.Abstractions;

namespace FaceAge.Worker.Tests.Chaos;

/// <summary>
/// Nothing lost: with four cameras publishing, the external broker goes away for two minutes; half-way
/// through the worker is killed with SIGKILL and started again. Every person event the worker produced
/// (its log names each person id) reaches a consumer afterwards, in the order produced per camera.
/// </summary>
public partial class BrokerOutageTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"Person (?<id>[0-9a-f]{32}) left camera (?<camera>[A-Za-z0-9_-]+)")]
    private static partial Regex PersonLine();

    private static List<(string Id, string Camera)> Produced(string log)
        => PersonLine().Matches(log).Select(m => (m.Groups["id"].Value, m.Groups["camera"].Value)).ToList();

    [Fact]
    public async Task Events_produced_while_the_broker_is_down_arrive_after_it_returns_even_across_a_worker_kill()
    {
        // Three women for 4 s, then 5 s of black (longer than the re-entry window): three people leave every ~9 s per camera.
        var video = TestVideos.FromPhotos(["sample3.jpg"], seconds: 4, gap: 5);
        using var broker = await Mosquitto.StartAsync(persistent: true);
        await using var consumer = PersistentSubscriber.Start(broker.Port, "faceage/+/person");
        var cameras = Enumerable.Range(1, 4).Select(i => new { Id = $"cam{i}", Url = video, Loop = true, MaxFps = 10 }).ToArray();
        using var worker = WorkerProcess.Start(cameras, broker.Port, embeddedBroker: false);

        await WaitAsync(() => Produced(worker.AllOutput).Count >= 8 && consumer.Messages.Count >= 8, TimeSpan.FromSeconds(90),
            "events flowing before the outage");

        await broker.StopAsync();
        var outageStart = DateTime.UtcNow;
        int producedBefore = Produced(worker.AllOutput).Count;
        await Task.Delay(TimeSpan.FromSeconds(60));
        int producedByFirst = Produced(worker.AllOutput).Count;
        Assert.True(producedByFirst > producedBefore, "the worker kept producing events while the broker was down");
        worker.Kill();   // SIGKILL mid-outage: what it held is only in its outbox file
        // An event is logged when the person leaves and written to the outbox a moment later: SIGKILL in between loses
        // it, as it would any process. So the killed process must have kept every event it logged, in order, except
        // at most the ones still on their way to the outbox at the kill (the tail of its log).
        var producedByKilled = Produced(worker.Process.Output);
        var kept = PersonsInOutbox(Path.Combine(worker.Folder, "data", "outbox.db"))
            .Concat(consumer.Messages.Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("personId").GetString()!)).ToHashSet();
        int keptPrefix = producedByKilled.TakeWhile(p => kept.Contains(p.Id)).Count();
        var inFlight = producedByKilled.Skip(keptPrefix).ToList();
        Assert.True(inFlight.All(p => !kept.Contains(p.Id)),
            $"the outbox skipped events: kept {keptPrefix} in order, then {string.Join(", ", inFlight.Select(p => (p.Id, kept.Contains(p.Id))))}");
        Assert.True(inFlight.Count <= 4, $"{inFlight.Count} logged events were not in the outbox at the kill; only the last moment's can be in flight");
        output.WriteLine($"killed process: {producedByKilled.Count} events logged, {inFlight.Count} still in flight at the kill");
        worker.Restart();
        await Task.Delay(TimeSpan.FromSeconds(120) - (DateTime.UtcNow - outageStart));
        await broker.StartAgainAsync();

        // Everything produced until now, by both processes, must arrive (but what was in flight at the kill).
        var lost = inFlight.Select(p => p.Id).ToHashSet();
        var expected = Produced(worker.AllOutput).Where(p => !lost.Contains(p.Id)).ToList();
        var firstProcess = Produced(worker.EarlierOutput).Select(p => p.Id).ToHashSet();
        try
        {
            await WaitAsync(() => expected.All(p => consumer.Messages.Any(m => m.Payload.Contains(p.Id))), TimeSpan.FromSeconds(120),
                $"all {expected.Count} produced events delivered");
        }
        catch (TimeoutException e)
        {
            var notYet = expected.Where(p => !consumer.Messages.Any(m => m.Payload.Contains(p.Id))).ToList();
            var warnings = string.Join('\n',
                worker.AllOutput.Split('\n').Where(l => l.Contains("warn", StringComparison.Ordinal) || l.Contains("fail", StringComparison.Ordinal)
                || l.Contains("Outbox", StringComparison.Ordinal) || l.Contains("MQTT", StringComparison.Ordinal)).Take(40));
            Assert.Fail($"{e.Message}: {notYet.Count} missing ({notYet.Count(p => firstProcess.Contains(p.Id))} from the killed process), "
                + $"{consumer.Messages.Count} received, consumer connected {consumer.Connected}\n{warnings}");
        }
        Assert.Equal(0, await worker.Process.StopAsync(TimeSpan.FromSeconds(40)));

        var produced = Produced(worker.AllOutput).Where(p => !lost.Contains(p.Id)).ToList();
        var received = consumer.Messages.Select(m => JsonDocument.Parse(m.Payload).RootElement)
            .Select(p => (Id: p.GetProperty("personId").GetString()!, Camera: p.GetProperty("camera").GetString()!)).ToList();
        var firstArrivals = received.DistinctBy(r => r.Id).ToList();
        var missing = produced.Where(p => !firstArrivals.Contains(p)).ToList();
        output.WriteLine($"produced {produced.Count} (first process {producedByFirst}, {producedByFirst - producedBefore} during the outage), received "
            + $"{received.Count} messages, {firstArrivals.Count} distinct, missing {missing.Count}");
        Assert.Empty(missing);
        Assert.True(produced.Count >= 40, $"only {produced.Count} events: the test did not exercise much");
        // In order per camera: the first arrival of each person follows the order the worker produced them in.
        foreach (var camera in cameras.Select(c => c.Id))
        {
            var producedOrder = produced.Where(p => p.Camera == camera).Select(p => p.Id).ToList();
            var arrivalOrder = firstArrivals.Where(p => p.Camera == camera).Select(p => p.Id).Where(producedOrder.Contains).ToList();
            Assert.Equal(producedOrder, arrivalOrder);
        }
    }

    /// <summary>Person ids of the person events waiting in a (closed or killed) worker's outbox file.</summary>
    private static List<string> PersonsInOutbox(string file)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT payload FROM outbox WHERE kind = 'person' ORDER BY id";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
            ids.Add(JsonDocument.Parse((byte[])reader[0]).RootElement.GetProperty("personId").GetString()!);
        return ids;
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not within {timeout.TotalSeconds} s");
            await Task.Delay(250);
        }
    }
}
