using System.Text;
using FaceAge.Worker.Configuration;
using FaceAge.Worker.Metrics;
using FaceAge.Worker.Sinks.Outbox;
using FaceAge.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceAge.Worker.Tests.Sinks.Outbox;

public class SqliteOutboxTests
{
    private static string TempDb() => Path.Combine(Directory.CreateTempSubdirectory("faceage-outbox").FullName, "outbox.db");

    private static OutboxMessage Person(int n) => new($"faceage/cam/person", Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"), false, "person");

    private static SqliteOutbox Open(string path, WorkerMetrics? metrics = null, int max = 100_000, TimeProvider? clock = null)
        => new(path, "mqtt", new OutboxOptions { Path = path, MaxMessages = max }, metrics ?? new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry()),
            NullLogger.Instance, clock);

    [Fact]
    public void Messages_leave_oldest_first_only_when_delivered_and_survive_a_restart()
    {
        var path = TempDb();
        using (var outbox = Open(path))
        {
            for (int i = 0; i < 5; i++) outbox.Add(Person(i));
            var oldest = outbox.Oldest(2);
            Assert.Equal(["{\"n\":0}", "{\"n\":1}"], oldest.Select(e => Encoding.UTF8.GetString(e.Message.Payload)));
            outbox.Delivered(oldest[0].Id);
            Assert.Equal(4, outbox.Count);
        }
        // As after a crash: a new process opens the same file and finds what was not acknowledged, in order.
        using var reopened = Open(path);
        Assert.Equal(4, reopened.Count);
        Assert.Equal(["{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}"], reopened.Oldest(10).Select(e => Encoding.UTF8.GetString(e.Message.Payload)));
        Assert.All(reopened.Oldest(10), e => Assert.Equal("person", e.Message.Kind));
    }

    [Fact]
    public void A_retained_state_message_replaces_the_undelivered_one_of_its_topic()
    {
        using var outbox = Open(TempDb());
        outbox.Add(new OutboxMessage("faceage/cam/occupancy", [1], true, "occupancy"));
        outbox.Add(Person(1));
        outbox.Add(new OutboxMessage("faceage/cam/occupancy", [2], true, "occupancy"));
        outbox.Add(new OutboxMessage("faceage/other/occupancy", [3], true, "occupancy"));
        var all = outbox.Oldest(10);
        Assert.Equal(3, all.Count);
        Assert.Equal([2], all.Single(e => e.Message.Key == "faceage/cam/occupancy").Message.Payload);
    }

    [Fact]
    public void Beyond_max_messages_the_oldest_are_discarded_and_counted()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new WorkerMetrics(registry);
        using var outbox = Open(TempDb(), metrics, max: 100);
        for (int i = 0; i < 150; i++) outbox.Add(Person(i));
        Assert.Equal(100, outbox.Count);
        Assert.Equal("{\"n\":50}", Encoding.UTF8.GetString(outbox.Oldest(1)[0].Message.Payload));
        Assert.Equal(50, metrics.OutboxDiscarded.WithLabels("mqtt").Value);
        Assert.Equal(100, metrics.OutboxMessages.WithLabels("mqtt").Value);
    }

    [Fact]
    public void Messages_older_than_max_age_are_discarded()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var metrics = new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry());
        using var outbox = Open(TempDb(), metrics, clock: clock);
        outbox.Add(Person(1));
        clock.Now = clock.Now.AddHours(25);
        outbox.Add(Person(2));
        Assert.Equal(1, outbox.Count);
        Assert.Equal(1, metrics.OutboxDiscarded.WithLabels("mqtt").Value);
    }

    [Fact]
    public void Unusable_path_is_an_error_naming_the_key()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("faceage-outbox").FullName, "not-a-db");
        File.WriteAllText(file, "this is not an SQLite database, just text that is long enough to have a header page "
            + "..........................................");
        var e = Assert.Throws<InvalidDataException>(() => Open(file));
        Assert.Contains("Outbox:Path", e.Message);
    }
}
