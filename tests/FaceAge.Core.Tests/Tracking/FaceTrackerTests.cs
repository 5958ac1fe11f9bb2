using FaceAge.Core.Detection;
using FaceAge.Core.Tracking;

namespace FaceAge.Core.Tests.Tracking;

public class FaceTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static DateTimeOffset Frame(int i) => T0.AddSeconds(i / 10.0);
    private static FaceDetection Face(float x, float y, float score = 0.9f, float size = 80) => new(new BoxF(x, y, size, size), score);

    [Fact]
    public void A_face_moving_steadily_keeps_one_identity()
    {
        var tracker = new FaceTracker(new TrackerOptions(), nominalFps: 10);
        var ids = new HashSet<long>();
        for (int i = 0; i < 40; i++)
        {
            var update = tracker.Update([Face(100 + 12 * i, 200)], Frame(i));
            foreach (var t in update.Active) ids.Add(t.Id);
            Assert.Empty(update.Ended);
        }
        Assert.Single(ids);
    }

    [Fact]
    public void Track_is_confirmed_only_after_enough_hits_so_one_frame_noise_never_counts()
    {
        var tracker = new FaceTracker(new TrackerOptions { ConfirmHits = 3 });
        Assert.Empty(tracker.Update([Face(10, 10)], Frame(0)).Active);
        Assert.Empty(tracker.Update([Face(12, 10)], Frame(1)).Active);
        Assert.Single(tracker.Update([Face(14, 10)], Frame(2)).Active);

        var noise = new FaceTracker(new TrackerOptions { ConfirmHits = 3 });
        noise.Update([Face(500, 500)], Frame(0));
        noise.Update([], Frame(1));
        Assert.Empty(noise.Tracks);
    }

    [Fact]
    public void Low_score_detections_keep_a_confirmed_track_alive_but_never_start_one()
    {
        var tracker = new FaceTracker(new TrackerOptions { HighScore = 0.7f, LowScore = 0.3f, ConfirmHits = 2 });
        tracker.Update([Face(100, 100)], Frame(0));
        var id = tracker.Update([Face(102, 100)], Frame(1)).Active.Single().Id;
        for (int i = 2; i < 30; i++)
        {
            var update = tracker.Update([Face(100 + 2 * i, 100, score: 0.4f), Face(600, 400, score: 0.4f)], Frame(i));
            Assert.Equal(id, Assert.Single(update.Active).Id);
        }
    }

    [Fact]
    public void Track_survives_a_short_gap_and_ends_after_max_lost_time()
    {
        var tracker = new FaceTracker(new TrackerOptions { ConfirmHits = 1, MaxLostTime = TimeSpan.FromSeconds(1) });
        var id = tracker.Update([Face(100, 100)], Frame(0)).Active.Single().Id;
        for (int i = 1; i <= 5; i++) Assert.Empty(tracker.Update([], Frame(i)).Ended);   // 0.5 s gap
        Assert.Equal(id, tracker.Update([Face(100, 100)], Frame(6)).Active.Single().Id);
        TrackerUpdate last = null!;
        for (int i = 7; i <= 18; i++) last = tracker.Update([], Frame(i));
        Assert.Empty(last.Active);
        Assert.Empty(tracker.Tracks);
    }

    [Fact]
    public void Two_faces_crossing_paths_keep_their_identities()
    {
        var tracker = new FaceTracker(new TrackerOptions { ConfirmHits = 1 });
        var first = tracker.Update([Face(100, 100), Face(400, 100)], Frame(0)).Active.OrderBy(t => t.Box.X).Select(t => t.Id).ToArray();
        for (int i = 1; i <= 10; i++)
            tracker.Update([Face(100 + 10 * i, 100 + 5 * i), Face(400 - 10 * i, 100 - 5 * i)], Frame(i));
        var left = tracker.Tracks.Single(t => t.Id == first[0]);
        Assert.InRange(left.Box.CenterX, 190, 250);   // still the face that started on the left
    }

    [Fact]
    public void A_small_face_crossing_the_frame_faster_than_its_own_size_per_detection_keeps_one_identity()
    {
        // 40 px face, 50 px per detection: consecutive boxes never overlap, so IoU alone would start a new track each time.
        var tracker = new FaceTracker(new TrackerOptions(), nominalFps: 10);
        var ids = new HashSet<long>();
        for (int i = 0; i < 20; i++)
            foreach (var t in tracker.Update([Face(50 + 50 * i, 300, size: 40)], Frame(i)).Active) ids.Add(t.Id);
        Assert.Single(ids);
    }

    [Fact]
    public void A_face_appearing_far_from_a_track_or_at_a_very_different_size_starts_its_own_track()
    {
        var tracker = new FaceTracker(new TrackerOptions { ConfirmHits = 1 }, nominalFps: 10);
        var first = tracker.Update([Face(100, 100, size: 40)], Frame(0)).Active.Single().Id;
        var far = tracker.Update([Face(100 + 40 * 3, 100, size: 40)], Frame(1));        // 3 sizes away
        Assert.DoesNotContain(far.Active, t => t.Id == first && t.MatchedThisFrame);
        var tracker2 = new FaceTracker(new TrackerOptions { ConfirmHits = 1 }, nominalFps: 10);
        var small = tracker2.Update([Face(100, 100, size: 40)], Frame(0)).Active.Single().Id;
        var big = tracker2.Update([Face(130, 100, size: 100)], Frame(1));              // 2.5× the size, no overlap gate passed
        Assert.Contains(big.Active, t => t.Id != small);
    }

    [Fact]
    public void A_newcomer_near_where_a_face_was_lost_a_second_ago_is_not_its_continuation()
    {
        var tracker = new FaceTracker(new TrackerOptions { ConfirmHits = 1 }, nominalFps: 10);
        var first = tracker.Update([Face(100, 300, size: 40)], Frame(0)).Active.Single().Id;
        for (int i = 1; i <= 9; i++) tracker.Update([], Frame(i));                     // gone for 0.9 s (not yet ended)
        var later = tracker.Update([Face(100 + 50, 300, size: 40)], Frame(10));         // someone 1.25 sizes away
        Assert.DoesNotContain(later.Active, t => t.Id == first && t.MatchedThisFrame);
    }

    [Theory]
    // A 78 px face in a 1280-wide frame is ~20 px to the whole-frame pass: found on tiled (every 2nd) frames only.
    [InlineData(100, 40, 78)]
    // A 32 px face moving 70 px per tiled detection (over two frames): more than 1.5 of its sizes per detection.
    [InlineData(30, 35, 32)]
    public void A_face_only_the_tiles_find_is_confirmed_and_keeps_one_identity_across_the_frames_searched_without_them(int start, int step, int size)
    {
        var tracker = new FaceTracker(new TrackerOptions(), nominalFps: 10);
        var ids = new HashSet<long>();
        for (int i = 0; i < 30; i++)
        {
            bool tiled = i % 2 == 0;
            var update = tracker.Update(tiled ? [Face(start + step * i, 300, size: size)] : [], Frame(i), fullySearched: tiled, frameSize: (1280, 720));
            foreach (var t in update.Active) ids.Add(t.Id);
        }
        Assert.Single(ids);
    }

    [Fact]
    public void Someone_entering_where_a_face_is_walking_out_of_the_frame_starts_a_new_track()
    {
        var tracker = new FaceTracker(new TrackerOptions { ConfirmHits = 1 }, nominalFps: 10);
        long first = 0;
        for (int i = 0; i < 8; i++)   // walking left at 40 px per frame, last seen at x 30: next predicted across the edge
            first = tracker.Update([Face(30 + 40 * (7 - i), 200, size: 60)], Frame(i), frameSize: (1280, 720)).Active.Single().Id;
        var entering = tracker.Update([Face(5, 250, size: 60)], Frame(8), frameSize: (1280, 720));   // < 1 size from that prediction
        var leaving = tracker.Tracks.Single(t => t.Id == first);
        Assert.InRange(leaving.Box.X, -60, 0);                      // predicted partly outside, centre still inside
        Assert.InRange(leaving.Box.CenterX, 0, 60);
        Assert.DoesNotContain(entering.Active, t => t.Id == first && t.MatchedThisFrame);
        Assert.Contains(entering.Active, t => t.Id != first && t.MatchedThisFrame);
    }

    [Fact]
    public void Someone_entering_where_a_face_just_walked_out_of_the_frame_starts_a_new_track()
    {
        var tracker = new FaceTracker(new TrackerOptions { ConfirmHits = 1 }, nominalFps: 10);
        long first = 0;
        for (int i = 0; i < 6; i++)   // walking left, out through the left edge
            first = tracker.Update([Face(150 - 40 * i, 200, size: 60)], Frame(i), frameSize: (1280, 720)).Active.Single().Id;
        tracker.Update([], Frame(6), frameSize: (1280, 720));                      // gone: predicted past the edge
        var entering = tracker.Update([Face(5, 250, size: 60)], Frame(7), frameSize: (1280, 720));   // a newcomer at that edge
        Assert.DoesNotContain(entering.Active, t => t.Id == first && t.MatchedThisFrame);
        Assert.Contains(entering.Active, t => t.Id != first && t.MatchedThisFrame);
    }

    [Fact]
    public void Kalman_prediction_follows_constant_velocity()
    {
        var filter = new KalmanBoxFilter(new BoxF(0, 0, 50, 50));
        for (int i = 1; i <= 20; i++)
        {
            filter.Predict();
            filter.Update(new BoxF(10 * i, 0, 50, 50));
        }
        filter.Predict();
        Assert.InRange(filter.Box.X, 205, 215);   // next position ≈ 210
    }
}
