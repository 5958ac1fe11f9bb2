using FaceAge.Core.Audience;
using FaceAge.Core.Estimation;
using FaceAge.Worker.Reports;

namespace FaceAge.Worker.Tests.Reports;

public class ReportTests
{
    private static readonly AgeGroups Groups = new(AgeGroups.DefaultLowerBounds);
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    private static AudienceTally Tally(params (double Age, double Male)[] people)
    {
        var t = new AudienceTally(Groups.Names);
        foreach (var (age, male) in people) t.Add(age, 4, male, Groups);
        return t;
    }

    [Fact]
    public void Windows_add_up_into_hours_and_days_and_each_bucket_says_what_its_people_were()
    {
        using var store = new ReportStore(":memory:", TimeSpan.FromDays(31), 1000);
        store.Add(new StoredWindow("door", T0, T0.AddMinutes(1), 4, Tally((30, 0.9), (31, 0.8))), T0.AddMinutes(1));
        store.Add(new StoredWindow("door", T0.AddMinutes(1), T0.AddMinutes(2), 10, Tally((70, 0.1))), T0.AddMinutes(2));
        store.Add(new StoredWindow("till", T0.AddMinutes(65), T0.AddMinutes(66), null, Tally((20, 0.2))), T0.AddMinutes(66));

        var hours = Report.Build(store, ReportRequest.Parse(null, "2026-12-07T00:00:00Z", "2026-12-08T00:00:00Z", "hour", null, T0),
            AudienceErrorModel.None(Groups.LowerBounds), corrected: false);
        Assert.Equal([T0, T0.AddHours(1)], hours.Select(r => r.Start));
        Assert.Equal((2, 3), (hours[0].Windows, hours[0].People));
        Assert.Equal(6.0, hours[0].MeanDwellSeconds!.Value, 3); // (4·2 + 10·1) / 3 people
        Assert.Equal(1, hours[0].Audience.HardCount(Groups.IndexOf(70), male: false));
        Assert.Equal(1.8 / 3, hours[0].Expected.Male.Share, 3);
        Assert.True(hours[0].Expected.Male.Low < hours[0].Expected.Male.Share && hours[0].Expected.Male.High > hours[0].Expected.Male.Share);

        var door = Report.Build(store, ReportRequest.Parse("door", "2026-12-07", "2026-12-08", "day", "csv", T0),
            AudienceErrorModel.None(Groups.LowerBounds), corrected: false);
        var csv = Report.ToCsv(door).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, csv.Length);
        Assert.Contains("25-34_share", csv[0]);
        Assert.StartsWith("2026-12-07T00:00:00.0000000+00:00,2026-12-08T00:00:00.0000000+00:00,door,2,3,", csv[1]);
        Assert.Contains("\"people\": 3", Report.ToJson(ReportRequest.Parse("door", "2026-12-07", "2026-12-08", "day", null, T0), door));
    }

    [Fact]
    public void The_store_keeps_windows_for_the_retention_and_at_most_its_count_and_counts_what_it_deleted()
    {
        using var store = new ReportStore(":memory:", TimeSpan.FromHours(2), 3);
        for (int i = 0; i < 5; i++) store.Add(new StoredWindow("door", T0.AddMinutes(i), T0.AddMinutes(i + 1), null, Tally((30, 0.5))), T0);
        Assert.Equal((3, 2), (store.Count, store.Deleted));
        store.Add(new StoredWindow("door", T0.AddHours(5), T0.AddHours(5).AddMinutes(1), null, Tally((30, 0.5))), T0.AddHours(5).AddMinutes(1));
        Assert.Equal(1, store.Count); // the others ended more than 2 hours before
    }

    [Theory]
    [InlineData("bucket=week", "bucket")]
    [InlineData("format=xml", "format")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-45", "to")]
    [InlineData("camera=bad id!", "camera")]
    [InlineData("from=2026-12-08&to=2026-12-07", "from")]
    [InlineData("from=2024-01-01&to=2026-12-07", "from")]
    public void A_bad_parameter_is_an_error_that_names_it(string query, string parameter)
    {
        var q = query.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        var e = Assert.Throws<ReportParameterException>(() => ReportRequest.Parse(q.GetValueOrDefault("camera"), q.GetValueOrDefault("from"),
            q.GetValueOrDefault("to"), q.GetValueOrDefault("bucket"), q.GetValueOrDefault("format"), T0));
        Assert.Equal(parameter, e.Parameter);
        Assert.Contains($"'{parameter}'", e.Message);
    }
}
