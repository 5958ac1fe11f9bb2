using FaceAge.Core.Analysis;
using FaceAge.Core.Fusion;
using FaceAge.Core.Sources;
using OpenCvSharp;

namespace FaceAge.Training.Evaluation;

/// <summary>What one single-person clip shows of how an estimate varies from sample to sample.</summary>
/// <param name="SampleSpread">Standard deviation of the samples' ages (the part of the error that changes from frame to frame, and then some).</param>
/// <param name="StatedUncertainty">Root mean square of the samples' stated ±.</param>
/// <param name="FusedAge">All samples fused (<see cref="TrackFusion"/>), with its stated ±.</param>
/// <param name="HalfDifference">Fused age of the first half minus that of the second half.</param>
/// <param name="HalfDifferenceSd">The standard deviation that difference should have if the fusion's model is right (the shared part cancels).</param>
public sealed record ClipFusion(string Clip, int Samples, double MeanAge, double SampleSpread, double StatedUncertainty, double FusedAge,
    double FusedUncertainty,
    double HalfDifference, double HalfDifferenceSd)
{
    /// <summary>ρ this clip implies: 1 − spread² / stated², within [0, 1].</summary>
    public double ImpliedCorrelation => Math.Clamp(1 - SampleSpread * SampleSpread / (StatedUncertainty * StatedUncertainty), 0, 1);
}

/// <summary>
/// Checks the fused ± (<see cref="TrackFusion"/>): on real single-person clips (no labels: how much the samples of one
/// person vary against what they state, and whether two halves of a clip agree as closely as the fusion says), and on
/// labelled photos, each seen as a short track of jittered crops (shifted, scaled, mirrored, blurred): how often the
/// fused ± holds the true age.
/// </summary>
public static class FusionCheck
{
    /// <summary>Samples of the largest face at <paramref name="fps"/> per second, as the worker takes them, fused.</summary>
    public static ClipFusion Clip(FaceAnalyzer analyzer, string video, double fps, double correlation)
    {
        var samples = new List<PersonSample>();
        foreach (var frame in new FfmpegFrameSource(new FrameSourceOptions(video) { MaxFps = fps }).FramesAsync().ToBlockingEnumerable())
            using (frame)
            {
                var face = analyzer.Detect(frame.Image).MaxBy(d => d.Box.Area);
                if (face is null) continue;
                var r = analyzer.Analyze(frame.Image, [face])[0];
                samples.Add(ToSample(r, DateTimeOffset.UnixEpoch + frame.Time));
            }
        if (samples.Count < 4) throw new InvalidDataException($"{video}: only {samples.Count} samples with a face; need at least 4.");
        var all = Fuse(samples, correlation);
        var first = Fuse(samples.Take(samples.Count / 2).ToList(), correlation);
        var second = Fuse(samples.Skip(samples.Count / 2).ToList(), correlation);
        var ages = samples.Select(s => new Core.Estimation.AgeDistribution(s.AgeProbabilities, s.FirstAge).Mean).ToList();
        double mean = ages.Average(), spread = Math.Sqrt(ages.Sum(a => (a - mean) * (a - mean)) / (ages.Count - 1));
        double stated = Math.Sqrt(samples.Average(s => s.AgeUncertainty!.Value * s.AgeUncertainty!.Value));
        // Under the model the halves share ρ·u² and differ by their own parts: var = Σ (fused² − ρ·ū²) of the halves.
        double Own(TrackFusion f, List<PersonSample> part)
            => Math.Max(0, f.AgeUncertainty * f.AgeUncertainty - correlation * part.Average(s => s.AgeUncertainty!.Value * s.AgeUncertainty!.Value));
        double sd = Math.Sqrt(Own(first, samples.Take(samples.Count / 2).ToList()) + Own(second, samples.Skip(samples.Count / 2).ToList()));
        return new ClipFusion(Path.GetFileName(video), samples.Count, mean, spread, stated, all.AgeMean, all.AgeUncertainty, first.AgeMean - second.AgeMean,
            sd);
    }

    /// <summary>
    /// Each face as a track of <paramref name="views"/> jittered crops, fused: predictions with the fused age and ± next
    /// to the label (the first crop alone in <paramref name="single"/>, for comparison).
    /// </summary>
    public static (List<Prediction> Fused, List<Prediction> Single) Jittered(FaceAnalyzer analyzer, FaceCropSource crops, IReadOnlyList<LabeledFace> faces,
        int views, double correlation, int seed, Action<int>? progress = null)
    {
        var fused = new List<Prediction>();
        var single = new List<Prediction>();
        var random = new Random(seed);
        int done = 0;
        foreach (var face in faces)
        {
            var (cut, _, _) = crops.CutFiles([face.Path], []);
            using var crop = cut[0];
            if (crop is not null)
            {
                var jittered = Enumerable.Range(0, views).Select(v => Jitter(crop, v == 0 ? null : random)).ToList();
                var estimates = analyzer.Estimator.Estimate(jittered);
                var fusion = new TrackFusion(correlation);
                for (int v = 0; v < views; v++)
                    fusion.Add(new PersonSample(estimates[v].Age.Probabilities, estimates[v].Age.FirstAge, estimates[v].MaleProbability, 1, 100,
                        estimates[v].Descriptor, DateTimeOffset.UnixEpoch, AgeUncertainty: estimates[v].AgeUncertainty));
                foreach (var j in jittered) j.Dispose();
                fused.Add(Label(face, fusion.AgeMean, fusion.AgeUncertainty, fusion.MaleProbability));
                single.Add(Label(face, estimates[0].Age.Mean, estimates[0].AgeUncertainty, estimates[0].MaleProbability));
            }
            progress?.Invoke(++done);
        }
        return (fused, single);
    }

    private static Prediction Label(LabeledFace face, double age, double uncertainty, double male)
        => new(face.Age, face.Gender, age, male >= 0.5 ? Gender.Male : Gender.Female, male, face.AgeGroup, uncertainty);

    /// <summary>The crop moved by up to 6 % of its side, scaled by ±6 %, turned by ±5°, maybe mirrored and blurred (a
    /// frame-to-frame change of a tracked face); null random = the crop itself.</summary>
    private static Mat Jitter(Mat crop, Random? random)
    {
        if (random is null) return crop.Clone();
        double side = crop.Width, dx = (random.NextDouble() - 0.5) * 0.12 * side, dy = (random.NextDouble() - 0.5) * 0.12 * side;
        var centre = new Point2f((float)(side / 2 + dx), (float)(side / 2 + dy));
        using var m = Cv2.GetRotationMatrix2D(centre, (random.NextDouble() - 0.5) * 10, 1 + (random.NextDouble() - 0.5) * 0.12);
        m.Set(0, 2, m.At<double>(0, 2) - dx);
        m.Set(1, 2, m.At<double>(1, 2) - dy);
        var result = new Mat();
        Cv2.WarpAffine(crop, result, m, crop.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
        if (random.Next(2) == 0) Cv2.Flip(result, result, FlipMode.Y);
        if (random.Next(3) == 0) Cv2.GaussianBlur(result, result, new Size(5, 5), 1.2);
        return result;
    }

    private static PersonSample ToSample(FaceResult r, DateTimeOffset time)
        => new(r.Attributes.Age.Probabilities, r.Attributes.Age.FirstAge, r.Attributes.MaleProbability, r.Quality, r.FaceSize, r.Attributes.Descriptor, time,
            r.Attributes.FaceScore, r.Attributes.AgeUncertainty);

    private static TrackFusion Fuse(List<PersonSample> samples, double correlation)
    {
        var fusion = new TrackFusion(correlation);
        foreach (var s in samples) fusion.Add(s);
        return fusion;
    }
}
