using FaceAge.Core.Alignment;
using FaceAge.Core.Estimation;
using FaceAge.Core.Fusion;

namespace FaceAge.Core.Tests.Fusion;

/// <summary>Looking time from posed samples: each sample stands for half the time to its neighbours, the ends reach first and last seen.</summary>
public class AttentionTimeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static AttentionTime Looks(params (double Seconds, bool Looks)[] samples)
    {
        var time = new AttentionTime();
        foreach (var (s, looks) in samples) time.Add(T0.AddSeconds(s), looks);
        return time;
    }

    [Fact]
    public void A_person_who_looks_in_every_sample_looked_for_the_whole_dwell()
    {
        var time = Looks((1, true), (2, true), (3, true), (4, true));
        var (seconds, longest) = time.Summary(T0, T0.AddSeconds(5))!.Value;
        Assert.Equal(5, seconds, 6);
        Assert.Equal(5, longest, 6);
        Assert.Equal((4, 4), (time.Samples, time.Looking));
    }

    [Fact]
    public void A_person_who_never_looks_has_no_attention_and_no_pose_gives_no_figure()
    {
        Assert.Equal((0.0, 0.0), Looks((1, false), (2, false), (3, false)).Summary(T0, T0.AddSeconds(4))!.Value);
        Assert.Null(new AttentionTime().Summary(T0, T0.AddSeconds(4)));
    }

    [Fact]
    public void Looks_are_runs_of_looking_samples_and_the_longest_is_kept()
    {
        // Looking at 0–2 (first run, from first seen at −1), away at 3, looking at 4–7, away at 8, last seen 9.
        var time = Looks((0, true), (1, true), (2, true), (3, false), (4, true), (5, true), (6, true), (7, true), (8, false));
        var (seconds, longest) = time.Summary(T0.AddSeconds(-1), T0.AddSeconds(9))!.Value;
        // First run: 1 s lead + 0–2 + half a second = 3.5; second: 3.5–7.5 = 4.
        Assert.Equal(7.5, seconds, 6);
        Assert.Equal(4, longest, 6);
        // Away at the end: the tail is not counted; looking at the end: it is.
        Assert.Equal(2, Looks((0, false), (1, true), (2, true), (3, false)).Summary(T0, T0.AddSeconds(10))!.Value.Seconds, 6);
        Assert.Equal(10.5, Looks((0, false), (1, true)).Summary(T0, T0.AddSeconds(11))!.Value.Seconds, 6);
    }

    [Fact]
    public void A_returning_person_adds_both_visits_looks_but_not_the_time_away()
    {
        var first = Looks((0, true), (1, true), (2, true));
        var second = Looks((30, true), (31, true));
        first.Absorb(second);
        var (seconds, longest) = first.Summary(T0, T0.AddSeconds(31))!.Value;
        Assert.Equal(3, seconds, 6);
        Assert.Equal(2, longest, 6);
        Assert.Equal(5, first.Samples);
    }

    [Fact]
    public void A_screen_beside_the_camera_moves_the_looking_direction()
    {
        var onCamera = new AttentionOptions().RuleFor();
        var toTheRight = new AttentionOptions().RuleFor(screenYaw: 40);
        Assert.True(onCamera.Looks(new HeadPose(5, -3, 0)));
        Assert.False(onCamera.Looks(new HeadPose(45, 0, 0)));
        Assert.False(onCamera.Looks(new HeadPose(0, 35, 0)));
        Assert.True(toTheRight.Looks(new HeadPose(45, 0, 0)));
        Assert.False(toTheRight.Looks(new HeadPose(5, 0, 0)));
    }

    [Fact]
    public void A_face_the_turn_check_calls_turned_away_does_not_look_whatever_its_landmarks_say()
    {
        var onCamera = new AttentionOptions().RuleFor();
        Assert.True(onCamera.UsesTurnCheck);
        Assert.True(onCamera.Looks(new HeadPose(5, 0, 0), turnedAway: 0.2f));
        Assert.False(onCamera.Looks(new HeadPose(5, 0, 0), turnedAway: 0.8f));   // a profile whose landmarks went wrong
        Assert.True(onCamera.Looks(new HeadPose(5, 0, 0), turnedAway: null));    // no turn check: the pose alone decides
    }

    [Fact]
    public void With_a_screen_beyond_the_turn_checks_range_the_pose_alone_decides()
    {
        // Looking at a screen 40° to the side is a head turned 10–70° from the camera: the check's "turned" says nothing of it.
        var toTheRight = new AttentionOptions().RuleFor(screenYaw: 40);
        Assert.False(toTheRight.UsesTurnCheck);
        Assert.True(toTheRight.Looks(new HeadPose(45, 0, 0), turnedAway: 0.9f));
        Assert.True(new AttentionOptions().RuleFor(screenYaw: 15).UsesTurnCheck);
        Assert.False(new AttentionOptions { MaxYaw = 40 }.RuleFor(screenYaw: 10).UsesTurnCheck);
    }

    private static readonly float[] Descriptor = Enumerable.Range(0, 16).Select(i => (float)Math.Sin(i)).ToArray();

    private static float[] Aged30()
    {
        var age = new float[100];
        age[29] = 1;
        return age;
    }

    /// <summary>The event of one person seen for 5 s with a sample a second, each posed (and checked) as <paramref name="sample"/> says.</summary>
    private static PersonEvent OnePerson(Func<int, (HeadPose Pose, float? TurnedAway)> sample)
    {
        var registry = new PersonRegistry("cam1", new FusionOptions { MinSamples = 1 }, new AgeGroups(), attention: new AttentionOptions().RuleFor());
        registry.TrackSeen(1, T0);
        for (int i = 0; i < 6; i++)
        {
            var (pose, turnedAway) = sample(i);
            registry.AddSample(1, new PersonSample(Aged30(), 1, 0.2f, 1, 100, Descriptor, T0.AddSeconds(i), Pose: pose, TurnedAway: turnedAway));
            registry.TrackSeen(1, T0.AddSeconds(i));
        }
        registry.TrackEnded(1, T0.AddSeconds(5));
        return Assert.Single(registry.Expire(T0.AddSeconds(60)));
    }

    [Fact]
    public void Samples_the_turn_check_flags_add_no_attention()
    {
        var e = OnePerson(_ => (new HeadPose(3, 0, 0), 0.9f));   // landmarks say frontal, the check says turned away
        Assert.Equal(0, e.AttentionSeconds);
        Assert.False(e.Viewer);
    }

    [Fact]
    public void A_person_event_carries_attention_and_the_viewer_flag_when_samples_are_posed()
    {
        var e = OnePerson(i => (new HeadPose(i < 3 ? 2 : 60, 0, 0), null));  // looks for the first three samples, then turns away
        Assert.Equal(2.5, e.AttentionSeconds);
        Assert.Equal(2.5, e.LongestLookSeconds);
        Assert.True(e.Viewer);

        var unposed = new PersonRegistry("cam1", new FusionOptions { MinSamples = 1 }, new AgeGroups());
        unposed.AddSample(2, new PersonSample(Aged30(), 1, 0.2f, 1, 100, Descriptor, T0, Pose: new HeadPose(0, 0, 0)));
        unposed.TrackEnded(2, T0);
        var plain = Assert.Single(unposed.Expire(T0.AddSeconds(60)));
        Assert.Null(plain.AttentionSeconds);
        Assert.Null(plain.Viewer);
    }
}
