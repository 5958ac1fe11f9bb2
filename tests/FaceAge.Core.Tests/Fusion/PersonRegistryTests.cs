using FaceAge.Core.Estimation;
using FaceAge.Core.Fusion;

namespace FaceAge.Core.Tests.Fusion;

public class PersonRegistryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static float[] PeakAt(int age)
    {
        var p = new float[100];
        p[age - 1] = 1;
        return p;
    }

    private static float[] Descriptor(int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, 64).Select(_ => (float)r.NextDouble() - 0.5f).ToArray();
    }

    // The synthetic vector serves as both the descriptor and the recognition embedding: either comparison sees the same.
    private static PersonSample Sample(int age, float male, double quality, float[] descriptor, double seconds)
        => new(PeakAt(age), 1, male, quality, 100, descriptor, T0.AddSeconds(seconds), Identity: descriptor);

    private static PersonRegistry Registry(double windowSeconds = 10)
        => new("cam1", new FusionOptions { ReentryWindow = TimeSpan.FromSeconds(windowSeconds), MinSamples = 1 }, new AgeGroups());

    [Fact]
    public void Fusion_weights_samples_by_quality()
    {
        var fusion = new TrackFusion();
        fusion.Add(Sample(20, 0.9f, 0.75, Descriptor(1), 0));
        fusion.Add(Sample(40, 0.1f, 0.25, Descriptor(1), 1));
        Assert.Equal(25, fusion.Age!.Mean, 5);                   // 0.75·20 + 0.25·40
        Assert.Equal(Math.Sqrt(0.75 * 25 + 0.25 * 225), fusion.Age.StandardDeviation, 5);
        Assert.Equal(0.7, fusion.MaleProbability, 5);            // 0.75·0.9 + 0.25·0.1
        Assert.Equal(25, fusion.AgeMean, 5);
    }

    private static PersonSample Stated(double age, double uncertainty, double seconds)
    {
        var p = new float[100];
        p[(int)age - 1] = 1;
        return new(p, 1, 0.2f, 1, 100, Descriptor(1), T0.AddSeconds(seconds), AgeUncertainty: uncertainty);
    }

    [Fact]
    public void Fusing_agreeing_samples_narrows_the_uncertainty_only_by_their_independent_part()
    {
        // 15 samples stating ±6 each, all at age 30, ρ = 0.8: ±6 · √(0.8 + 0.2/15) = ±5.41, not ±6/√15 = ±1.55.
        var fusion = new TrackFusion(ageErrorCorrelation: 0.8);
        for (int i = 0; i < 15; i++) fusion.Add(Stated(30, 6, i));
        Assert.Equal(30, fusion.AgeMean, 5);
        Assert.Equal(6 * Math.Sqrt(0.8 + 0.2 / 15), fusion.AgeUncertainty, 5);
        // One sample is as uncertain as it says; fully independent samples (ρ = 0) narrow as 1/√n.
        var one = new TrackFusion(0.8);
        one.Add(Stated(30, 6, 0));
        Assert.Equal(6, one.AgeUncertainty, 5);
        var independent = new TrackFusion(0);
        for (int i = 0; i < 9; i++) independent.Add(Stated(30, 6, i));
        Assert.Equal(2, independent.AgeUncertainty, 5);
    }

    [Fact]
    public void Samples_that_disagree_more_than_they_state_widen_the_fused_uncertainty_to_their_spread()
    {
        // Ages 20 and 40 alternating (sample spread 10.3 years) though each states ±3: the own part is the observed spread.
        var fusion = new TrackFusion(ageErrorCorrelation: 0.5);
        for (int i = 0; i < 10; i++) fusion.Add(Stated(i % 2 == 0 ? 20 : 40, 3, i));
        double spread2 = 100.0 * 10 / 9;                              // unbiased variance of the ten ages
        Assert.Equal(Math.Sqrt(0.5 * 9 + spread2 / 10), fusion.AgeUncertainty, 4);
        Assert.True(fusion.AgeUncertainty > 3);
    }

    [Fact]
    public void A_person_leaving_gives_one_event_after_the_reentry_window()
    {
        var registry = Registry();
        for (int i = 0; i < 5; i++) registry.AddSample(7, Sample(30, 0.2f, 1, Descriptor(1), i));
        registry.TrackEnded(7, T0.AddSeconds(5));
        Assert.Empty(registry.Expire(T0.AddSeconds(9)));
        var e = Assert.Single(registry.Expire(T0.AddSeconds(16)));
        Assert.Equal(("cam1", 30.0, 0.0, "female", 0.8, 5), (e.CameraId, e.Age, e.AgeUncertainty, e.Gender, e.GenderProbability, e.Samples));
        Assert.Equal(4, e.DwellSeconds);
        Assert.Equal(32, e.PersonId.Length);
        Assert.Empty(registry.Expire(T0.AddSeconds(100)));
    }

    /// <summary>A descriptor whose cosine similarity to <paramref name="face"/> is <paramref name="similarity"/>.</summary>
    private static float[] AtSimilarity(float[] face, double similarity)
    {
        // face + k·other, with other orthogonal to face: cos = 1 / √(1 + k²·|other|²/|face|²).
        var other = Descriptor(99);
        double dot = face.Zip(other, (a, b) => (double)a * b).Sum(), ff = face.Sum(v => (double)v * v);
        var orth = other.Select((v, i) => v - (float)(dot / ff) * face[i]).ToArray();
        double oo = orth.Sum(v => (double)v * v);
        double k = Math.Sqrt((1 / (similarity * similarity) - 1) * ff / oo);
        return face.Select((v, i) => v + (float)k * orth[i]).ToArray();
    }

    [Theory]
    [InlineData(3, false)]    // two toddlers this alike are as often two children as one (0.87 at 0–6 years)
    [InlineData(30, true)]    // two adults this alike are one person (0.77)
    public void How_alike_a_returning_face_must_be_depends_on_the_age_for_the_descriptor(int age, bool returns)
    {
        var registry = new PersonRegistry("cam1", new FusionOptions { Embedding = FusionOptions.DescriptorEmbedding, MinSamples = 1 }, new AgeGroups());
        var face = Descriptor(1);
        registry.AddSample(1, Sample(age, 0.2f, 1, face, 0));
        registry.AddSample(1, Sample(age, 0.2f, 1, face, 0.5));
        registry.TrackEnded(1, T0.AddSeconds(1));
        registry.AddSample(2, Sample(age, 0.2f, 1, AtSimilarity(face, 0.82), 5));
        registry.AddSample(2, Sample(age, 0.2f, 1, AtSimilarity(face, 0.82), 5.5));
        registry.TrackEnded(2, T0.AddSeconds(6));
        Assert.Equal(returns ? 1 : 2, registry.Expire(T0.AddSeconds(30)).Count);
    }

    [Fact]
    public void The_stricter_age_band_of_either_person_decides()
    {
        var o = new FusionOptions { Embedding = FusionOptions.DescriptorEmbedding };
        Assert.Equal(0.77, o.ReentrySimilarityFor(30, 35), 6);
        Assert.Equal(0.87, o.ReentrySimilarityFor(3, 30), 6);
        Assert.Equal(0.79, o.ReentrySimilarityFor(10, 12), 6);
        Assert.Equal(0.83, o.ReentrySimilarityFor(75, double.NaN), 6);
        Assert.Equal(0.77, o.ReentrySimilarityFor(double.NaN, double.NaN), 6);
        // A band below the general threshold does not lower it.
        var lenient = new FusionOptions { Embedding = FusionOptions.DescriptorEmbedding, ReentrySimilarityByAge = [new() { MaxAge = 200, Similarity = 0.5 }] };
        Assert.Equal(0.77, lenient.ReentrySimilarityFor(30, 30), 6);
        Assert.Contains(new FusionOptions { ReentrySimilarityByAge = [new() { MaxAge = 6, Similarity = 1.5 }] }.Validate(),
            e => e.Contains("Fusion:ReentrySimilarityByAge:0:Similarity"));
    }

    [Fact]
    public void With_the_recognition_embedding_a_return_is_judged_by_it_not_by_the_descriptor()
    {
        var face = Descriptor(1);
        var other = Descriptor(2);
        PersonSample S(float[] descriptor, float[] identity, double t) => Sample(30, 0.2f, 1, descriptor, t) with { Identity = identity };

        PersonRegistry Recognising() => new("cam1", new FusionOptions { Embedding = FusionOptions.RecognitionEmbedding, MinSamples = 1 }, new AgeGroups());

        // The same descriptor, a different person's embedding: not a return.
        var registry = Recognising();
        registry.AddSample(1, S(face, face, 0));
        registry.TrackEnded(1, T0.AddSeconds(1));
        registry.AddSample(2, S(face, other, 5));
        registry.AddSample(2, S(face, other, 5.5));
        registry.TrackEnded(2, T0.AddSeconds(6));
        Assert.Equal(2, registry.Expire(T0.AddSeconds(30)).Count);

        // A different descriptor, the same embedding: a return.
        registry = Recognising();
        registry.AddSample(1, S(face, face, 0));
        registry.TrackEnded(1, T0.AddSeconds(1));
        registry.AddSample(2, S(other, face, 5));
        registry.AddSample(2, S(other, face, 5.5));
        registry.TrackEnded(2, T0.AddSeconds(6));
        Assert.Single(registry.Expire(T0.AddSeconds(30)));
    }

    [Fact]
    public void The_recognition_embedding_holds_one_threshold_for_every_age_unless_bands_are_set()
    {
        var o = new FusionOptions { Embedding = FusionOptions.RecognitionEmbedding };
        Assert.Equal(0.635, o.ReentrySimilarityFor(3, 30), 6);
        Assert.Equal(0.635, o.ReentrySimilarityFor(75, 80), 6);
        Assert.Equal(0.9, (o with { ReentrySimilarityByAge = [new() { MaxAge = 6, Similarity = 0.9 }] }).ReentrySimilarityFor(3, 30), 6);
        Assert.Equal(0.7, (o with { ReentrySimilarity = 0.7 }).ReentrySimilarityFor(30, 30), 6);
        Assert.Contains(new FusionOptions { Embedding = "arcface" }.Validate(), e => e.Contains("Fusion:Embedding", StringComparison.Ordinal));
    }

    [Fact]
    public void Returning_within_the_window_with_a_close_descriptor_is_the_same_person()
    {
        var registry = Registry();
        var face = Descriptor(1);
        registry.AddSample(1, Sample(30, 0.2f, 1, face, 0));
        registry.TrackEnded(1, T0.AddSeconds(1));
        var close = face.Select((v, i) => v + (i % 2 == 0 ? 0.02f : -0.02f)).ToArray();
        registry.AddSample(2, Sample(34, 0.2f, 1, close, 5));
        registry.AddSample(2, Sample(32, 0.2f, 1, close, 5.5));   // a second sample that agrees: now it is a return
        registry.TrackEnded(2, T0.AddSeconds(8));
        var e = Assert.Single(registry.Expire(T0.AddSeconds(30)));
        Assert.Equal(3, e.Samples);
        Assert.Equal(32, e.Age, 5);
        Assert.Equal(T0, e.FirstSeen);
        Assert.Equal(T0.AddSeconds(5.5), e.LastSeen);
    }

    [Fact]
    public void A_different_face_or_a_return_after_the_window_is_a_new_person()
    {
        var registry = Registry(windowSeconds: 10);
        registry.AddSample(1, Sample(30, 0.2f, 1, Descriptor(1), 0));
        registry.TrackEnded(1, T0.AddSeconds(1));
        registry.AddSample(2, Sample(50, 0.9f, 1, Descriptor(2), 3));   // someone else
        registry.TrackEnded(2, T0.AddSeconds(4));
        Assert.Equal(2, registry.Expire(T0.AddSeconds(20)).Count);

        registry.AddSample(3, Sample(30, 0.2f, 1, Descriptor(1), 25));  // first person, but too late
        registry.TrackEnded(3, T0.AddSeconds(26));
        Assert.Single(registry.Expire(T0.AddSeconds(40)));
    }

    [Fact]
    public void Descriptors_are_dropped_when_the_window_ends()
    {
        var registry = Registry();
        registry.AddSample(1, Sample(30, 0.2f, 1, Descriptor(1), 0));
        registry.TrackEnded(1, T0.AddSeconds(1));
        Assert.Equal(1, registry.AwaitingReentry);
        registry.Expire(T0.AddSeconds(11));
        Assert.Equal(0, registry.AwaitingReentry);
        // The same face now starts a new person: nothing of the old one is left to match.
        registry.AddSample(2, Sample(30, 0.2f, 1, Descriptor(1), 12));
        registry.TrackEnded(2, T0.AddSeconds(13));
        var e = Assert.Single(registry.Expire(T0.AddSeconds(30)));
        Assert.Equal(1, e.Samples);

        var fusion = new TrackFusion();
        fusion.Add(Sample(30, 0.2f, 1, Descriptor(1), 0));
        fusion.ForgetDescriptor();
        Assert.Null(fusion.Descriptors);
    }

    [Fact]
    public void Flush_emits_every_departed_person_at_shutdown()
    {
        var registry = Registry();
        registry.AddSample(1, Sample(30, 0.2f, 1, Descriptor(1), 0));
        registry.TrackEnded(1, T0.AddSeconds(1));
        Assert.Single(registry.Expire(T0.AddSeconds(2), flush: true));
    }
}

public class PersonRegistryFilterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static PersonSample Sample(double quality, float? faceScore, double seconds)
    {
        var p = new float[100];
        p[29] = 1;
        return new PersonSample(p, 1, 0.2f, quality, 100, Enumerable.Repeat(0.1f, 8).ToArray(), T0.AddSeconds(seconds), faceScore);
    }

    private static (PersonRegistry Registry, List<string> Filtered) Registry(double faceCheckThreshold = 0.5)
    {
        var filtered = new List<string>();
        return (new PersonRegistry("cam", new FusionOptions { MinQuality = 0.1, MinSamples = 1 }, new AgeGroups(), faceCheckThreshold, filtered.Add), filtered);
    }

    [Fact]
    public void A_track_whose_samples_never_passed_the_face_check_is_not_published_and_is_counted()
    {
        var (registry, filtered) = Registry();
        for (int i = 0; i < 5; i++) registry.AddSample(1, Sample(0.6, 0.2f, i));
        Assert.Null(registry.Current(1));   // no periodic update for it either
        registry.TrackEnded(1, T0.AddSeconds(5));
        Assert.Empty(registry.Expire(T0.AddSeconds(60)));
        Assert.Equal(["not_a_face"], filtered);
    }

    [Fact]
    public void One_sample_that_passed_the_face_check_makes_the_track_a_person()
    {
        var (registry, filtered) = Registry();
        registry.AddSample(1, Sample(0.6, 0.2f, 0));
        registry.AddSample(1, Sample(0.6, 0.9f, 1));   // the face turned towards the camera
        registry.TrackEnded(1, T0.AddSeconds(2));
        Assert.Equal(2, Assert.Single(registry.Expire(T0.AddSeconds(60))).Samples);
        Assert.Empty(filtered);
    }

    [Fact]
    public void A_track_with_only_unusable_samples_is_not_published_and_is_counted()
    {
        var (registry, filtered) = Registry();
        registry.AddSample(1, Sample(0.05, 0.9f, 0));
        registry.AddSample(1, Sample(0.08, 0.9f, 1));
        registry.TrackEnded(1, T0.AddSeconds(2));
        registry.TrackSeen(2, T0);                      // seen, never sampled
        registry.TrackEnded(2, T0.AddSeconds(1));
        Assert.Empty(registry.Expire(T0.AddSeconds(60)));
        Assert.Equal(["low_quality", "too_few_samples"], filtered.Order());
    }

    [Fact]
    public void By_default_a_person_needs_three_samples_to_be_published()
    {
        var filtered = new List<string>();
        var registry = new PersonRegistry("cam", new FusionOptions(), new AgeGroups(), 0.5, filtered.Add);
        for (int i = 0; i < 2; i++) registry.AddSample(1, Sample(0.6, 0.9f, i));     // a fragment: two crops
        registry.TrackEnded(1, T0.AddSeconds(2));
        Assert.Empty(registry.Expire(T0.AddSeconds(20)));                              // its re-entry window is over
        Assert.Equal(["too_few_samples"], filtered);
        for (int i = 0; i < 3; i++) registry.AddSample(2, Sample(0.6, 0.9f, 30 + i));
        registry.TrackEnded(2, T0.AddSeconds(33));
        Assert.Equal(3, Assert.Single(registry.Expire(T0.AddSeconds(90))).Samples);
        Assert.Equal(["too_few_samples"], filtered);
    }

    [Fact]
    public void Without_a_face_check_samples_without_a_score_count_as_faces()
    {
        var (registry, filtered) = Registry(faceCheckThreshold: 0);
        registry.AddSample(1, Sample(0.6, null, 0));
        registry.TrackEnded(1, T0.AddSeconds(1));
        Assert.Single(registry.Expire(T0.AddSeconds(60)));
        Assert.Empty(filtered);
    }
}

public class PersonRegistryRelinkTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static float[] Face(int seed, float noise = 0, int noiseSeed = 0)
    {
        var r = new Random(seed);
        var n = new Random(noiseSeed);
        return Enumerable.Range(0, 64).Select(_ => (float)r.NextDouble() - 0.5f + noise * ((float)n.NextDouble() - 0.5f)).ToArray();
    }

    private static PersonSample Sample(float[] descriptor, double seconds)
    {
        var p = new float[100];
        p[29] = 1;
        return new PersonSample(p, 1, 0.2f, 0.8, 100, descriptor, T0.AddSeconds(seconds), Identity: descriptor);
    }

    private sealed class Counts { public int Relinked, Switched; }

    private static (PersonRegistry, Counts) Registry()
    {
        var c = new Counts();
        return (new PersonRegistry("cam", new FusionOptions { MinSamples = 1 }, new AgeGroups(), relinked: () => c.Relinked++, switched: () => c.Switched++),
            c);
    }

    [Fact]
    public void A_track_that_broke_while_a_new_one_took_the_face_over_is_one_person()
    {
        var (registry, counts) = Registry();
        for (int i = 0; i < 4; i++) registry.AddSample(1, Sample(Face(1, 0.1f, i), i * 0.5));
        registry.TrackSeen(1, T0.AddSeconds(2));
        // The detector lost the face; a new track starts on it before the old one times out.
        registry.TrackSeen(2, T0.AddSeconds(2.6));
        registry.AddSample(2, Sample(Face(1, 0.1f, 9), 2.6));
        registry.AddSample(2, Sample(Face(1, 0.1f, 12), 3.1));
        registry.TrackEnded(1, T0.AddSeconds(3.5));
        Assert.Equal(1, counts.Relinked);
        registry.AddSample(1, Sample(Face(1, 0.1f, 10), 1.9));   // a late sample of the broken track
        registry.AddSample(2, Sample(Face(1, 0.1f, 11), 3.6));
        registry.TrackEnded(2, T0.AddSeconds(5));
        var e = Assert.Single(registry.Expire(T0.AddSeconds(60)));
        Assert.Equal(8, e.Samples);
        Assert.Equal(T0, e.FirstSeen);
        Assert.Equal(1, counts.Relinked);
        Assert.Equal(0, registry.Held);
    }

    [Fact]
    public void Two_people_in_view_together_are_never_relinked_even_when_alike()
    {
        var (registry, counts) = Registry();
        registry.TrackSeen(2, T0);                               // in view while track 1 still is
        registry.AddSample(1, Sample(Face(1), 0));
        registry.AddSample(2, Sample(Face(1, 0.05f, 3), 0.5));
        registry.TrackEnded(1, T0.AddSeconds(1));
        registry.TrackEnded(2, T0.AddSeconds(2));
        Assert.Equal(2, registry.Expire(T0.AddSeconds(60)).Count);
        Assert.Equal(0, counts.Relinked);
    }

    [Fact]
    public void A_returning_person_is_recognised_on_a_later_sample_when_the_first_crop_was_poor()
    {
        var (registry, counts) = Registry();
        registry.AddSample(1, Sample(Face(1), 0));
        registry.TrackEnded(1, T0.AddSeconds(1));
        registry.AddSample(2, Sample(Face(77), 5));              // a poor first crop: resembles nobody
        registry.AddSample(2, Sample(Face(1, 0.05f, 4), 5.5));   // the face again
        Assert.Equal(0, counts.Relinked);                        // one resembling sample is not yet enough
        registry.AddSample(2, Sample(Face(1, 0.05f, 5), 6));     // and again: two agree
        Assert.Equal(1, counts.Relinked);
        registry.TrackEnded(2, T0.AddSeconds(6.5));
        var e = Assert.Single(registry.Expire(T0.AddSeconds(60)));
        Assert.Equal(4, e.Samples);
    }

    [Fact]
    public void One_crop_that_resembles_a_departed_person_does_not_make_a_newcomer_that_person()
    {
        // A look-alike entering as someone left: one of its crops reaches the re-entry similarity by chance, the others do not.
        var (registry, counts) = Registry();
        for (int i = 0; i < 4; i++) registry.AddSample(1, Sample(Face(1, 0.1f, i), i * 0.5));
        registry.TrackEnded(1, T0.AddSeconds(2));
        registry.AddSample(2, Sample(Face(1, 0.1f, 20), 4));     // the chance resemblance
        registry.AddSample(2, Sample(Face(5, 0.1f, 21), 4.5));   // the newcomer's own face
        registry.AddSample(2, Sample(Face(5, 0.1f, 22), 5));
        registry.TrackEnded(2, T0.AddSeconds(6));
        Assert.Equal(2, registry.Expire(T0.AddSeconds(60)).Count);
        Assert.Equal(0, counts.Relinked);

        // The same when the look-alike's track began while the first person's was still open (the successor check).
        var (second, secondCounts) = Registry();
        for (int i = 0; i < 4; i++) second.AddSample(1, Sample(Face(1, 0.1f, i), i * 0.5));
        second.TrackSeen(1, T0.AddSeconds(2));
        second.TrackSeen(2, T0.AddSeconds(2.5));
        second.AddSample(2, Sample(Face(1, 0.1f, 20), 2.5));
        second.AddSample(2, Sample(Face(5, 0.1f, 21), 3));
        second.TrackEnded(1, T0.AddSeconds(3.5));
        second.AddSample(2, Sample(Face(5, 0.1f, 22), 4));
        second.TrackEnded(2, T0.AddSeconds(5));
        Assert.Equal(2, second.Expire(T0.AddSeconds(60)).Count);
        Assert.Equal(0, secondCounts.Relinked);
    }

    [Fact]
    public void A_track_that_jumps_to_another_face_is_counted_as_an_identity_switch_and_becomes_a_second_person()
    {
        var (registry, counts) = Registry();
        for (int i = 0; i < 4; i++) registry.AddSample(1, Sample(Face(1, 0.1f, i), i));
        Assert.Equal(0, counts.Switched);
        registry.AddSample(1, Sample(Face(2), 5));                 // someone else now
        Assert.Equal(0, counts.Switched);                          // one foreign sample could be an odd crop
        registry.AddSample(1, Sample(Face(2, 0.1f, 7), 6));
        Assert.Equal(1, counts.Switched);
        registry.TrackEnded(1, T0.AddSeconds(7));
        var events = registry.Expire(T0.AddSeconds(60)).OrderBy(e => e.FirstSeen).ToList();
        Assert.Equal(2, events.Count);
        Assert.Equal((4, T0, T0.AddSeconds(3)), (events[0].Samples, events[0].FirstSeen, events[0].LastSeen));
        Assert.Equal((2, T0.AddSeconds(5)), (events[1].Samples, events[1].FirstSeen));
        Assert.Equal(0, registry.Held);
    }

    [Fact]
    public void One_odd_crop_in_a_track_is_not_an_identity_switch()
    {
        var (registry, counts) = Registry();
        for (int i = 0; i < 4; i++) registry.AddSample(1, Sample(Face(1, 0.1f, i), i));
        registry.AddSample(1, Sample(Face(3), 4));                 // a blurred or turned crop
        registry.AddSample(1, Sample(Face(1, 0.1f, 8), 5));        // the same face again
        registry.TrackEnded(1, T0.AddSeconds(6));
        Assert.Equal(6, Assert.Single(registry.Expire(T0.AddSeconds(60))).Samples);
        Assert.Equal(0, counts.Switched);
    }

    [Fact]
    public void Late_samples_of_a_returned_persons_earlier_track_reach_that_person()
    {
        var (registry, _) = Registry();
        registry.AddSample(1, Sample(Face(1), 0));
        registry.TrackEnded(1, T0.AddSeconds(1));
        registry.AddSample(2, Sample(Face(1, 0.05f, 4), 5));     // back: track 2 continues the person
        registry.AddSample(2, Sample(Face(1, 0.05f, 6), 5.2));
        registry.AddSample(1, Sample(Face(1, 0.05f, 5), 0.9));   // late sample of track 1
        Assert.Equal(1, registry.Held);
        registry.TrackEnded(2, T0.AddSeconds(6));
        Assert.Equal(4, Assert.Single(registry.Expire(T0.AddSeconds(60))).Samples);
        Assert.Equal(0, registry.Held);
    }
}

public class PersonRegistryLateSampleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static PersonSample Sample(int age, double seconds)
    {
        var p = new float[100];
        p[age - 1] = 1;
        return new PersonSample(p, 1, 0.2f, 1, 100, Enumerable.Repeat(0.1f, 8).ToArray(), T0.AddSeconds(seconds));
    }

    [Fact]
    public void A_sample_arriving_after_its_track_ended_joins_the_departed_person()
    {
        var registry = new PersonRegistry("cam", new FusionOptions { MinSamples = 1 }, new AgeGroups());
        registry.AddSample(1, Sample(20, 0));
        registry.TrackEnded(1, T0.AddSeconds(1));
        registry.AddSample(1, Sample(40, 0.9));    // late: produced before the end, fused after it
        Assert.Equal(0, registry.Present);
        var e = Assert.Single(registry.Expire(T0.AddSeconds(60)));
        Assert.Equal(2, e.Samples);
        Assert.Equal(30, e.Age, 5);
        Assert.Equal(0, registry.Held);
    }

    [Fact]
    public void A_sample_arriving_after_its_person_was_published_is_dropped()
    {
        var registry = new PersonRegistry("cam", new FusionOptions { MinSamples = 1 }, new AgeGroups());
        registry.AddSample(1, Sample(20, 0));
        registry.TrackEnded(1, T0.AddSeconds(1));
        Assert.Single(registry.Expire(T0.AddSeconds(60)));
        registry.AddSample(1, Sample(40, 0.9));
        Assert.Equal(0, registry.Held);
        Assert.Empty(registry.Expire(T0.AddSeconds(120), flush: true));
    }
}
