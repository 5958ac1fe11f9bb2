using FaceAge.Core.Audience;
using FaceAge.Core.Estimation;

namespace FaceAge.Training.Audience;

/// <summary>The error of one way of counting over many simulated windows: mean absolute error of the shares, and interval coverage.</summary>
public sealed record CountingError(double AgeShareMae, double MaleShareMae, double? AgeCoverage = null, double? MaleCoverage = null);

/// <summary>One row of the simulation: windows of <paramref name="People"/> people drawn with one mix of true age groups.</summary>
public sealed record SimulationRow(int People, string Mix, CountingError Hard, CountingError Expected, CountingError Corrected);

/// <summary>
/// Windows of people drawn from labelled faces the estimator has seen (their estimates as `faceage eval` made them): how
/// far the window's figures lie from the truth when each person is counted in their most likely group (hard), as the sum
/// of their probabilities (expected, with the 90 % intervals of <see cref="ShareInterval"/>), and the expected counts
/// corrected with the confusion measured on validation faces (<see cref="ConfusionCorrection"/>). A mix weighs the true
/// age groups; a window draws a group by its weight, then a face of that group.
/// </summary>
public sealed class ShareSimulation(AgeGroups groups, int seed)
{
    public static readonly IReadOnlyDictionary<string, double[]> FairFaceMixes = new Dictionary<string, double[]>
    {
        // The nine FairFace groups (0-2, 3-9, 10-19, …, 70+): every group alike, or weighted towards the young or the old.
        ["uniform"] = [1, 1, 1, 1, 1, 1, 1, 1, 1],
        ["young-heavy"] = [4, 4, 3, 2, 1, 1, 0.5, 0.3, 0.2],
        ["old-heavy"] = [0.2, 0.3, 0.5, 1, 1, 2, 3, 4, 4],
    };

    /// <summary>
    /// The estimator's error model on <paramref name="validation"/> faces: each group's and the male share's systematic error
    /// (root mean square of expected − true over <paramref name="windows"/> windows of 1,000 people with random mixes, where
    /// what is left is the estimator's bias, not chance), and the confusion of expected groups and genders. The estimator's
    /// bias differs between sources of faces, and a site is a source it never saw: with two or more validation sets, the
    /// scales of the systematic terms are fitted so that a model measured without one set holds that set's windows 90 % of
    /// the time (each set left out in turn); with one, on its own windows.
    /// </summary>
    public AudienceErrorModel Measure(IReadOnlyList<PredictedFace> validation, int windows = 400)
    {
        var random = new Random(seed);
        var raw = MeasureUnscaled(validation, windows, random);
        var sources = validation.Where(f => f.HasAge).GroupBy(f => f.Dataset).Where(g => g.Count() >= 100).Select(g => g.Key).ToList();
        var checks = sources.Count < 2
            ? [(raw, validation.Where(f => f.HasAge).ToList())]
            : sources.Select(source => (MeasureUnscaled(validation.Where(f => f.Dataset != source).ToList(), windows, random),
                validation.Where(f => f.HasAge && f.Dataset == source).ToList())).ToList();
        return Calibrate(raw, checks, random);
    }

    private AudienceErrorModel MeasureUnscaled(IReadOnlyList<PredictedFace> validation, int windows, Random random)
    {
        int k = groups.Names.Count;
        var aged = validation.Where(f => f.HasAge).ToList();
        var ageConfusion = new double[k][];
        for (int j = 0; j < k; j++) ageConfusion[j] = new double[k];
        foreach (var f in aged)
        {
            var p = AgeGroupProbabilities.Of(f.Age, f.Uncertainty, groups);
            // An interval label spread over the groups it covers by drawing; ten draws make it smooth.
            for (int d = 0; d < 10; d++)
            {
                var row = ageConfusion[groups.IndexOf(f.DrawTrueAge(random))];
                for (int g = 0; g < k; g++) row[g] += p[g] / 10;
            }
        }
        var genderConfusion = new double[2][] { new double[2], new double[2] };
        foreach (var f in validation.Where(f => f.TrueMale is not null))
        {
            var row = genderConfusion[f.TrueMale!.Value ? 1 : 0];
            row[1] += f.MaleProbability;
            row[0] += 1 - f.MaleProbability;
        }
        foreach (var row in ageConfusion.Concat(genderConfusion)) Normalize(row);

        var ageErrors = new double[k];
        double maleErrors = 0;
        int maleWindows = 0;
        for (int w = 0; w < windows; w++)
        {
            var window = Draw(aged, RandomMix(k, random), 1000, random);
            for (int g = 0; g < k; g++) ageErrors[g] += Math.Pow(window.ExpectedShare(g) - window.True[g], 2);
            if (window.TrueMale is { } male)
            {
                maleErrors += Math.Pow(window.ExpectedMale - male, 2);
                maleWindows++;
            }
        }
        return new AudienceErrorModel
        {
            AgeGroupBounds = [.. groups.LowerBounds],
            AgeGroupSystematic = ageErrors.Select(e => Math.Round(Math.Sqrt(e / windows), 4)).ToArray(),
            MaleSystematic = maleWindows > 0 ? Math.Round(Math.Sqrt(maleErrors / maleWindows), 4) : 0,
            MaleSystematicByAgeGroup = MaleErrorByAgeGroup(validation, random),
            AgeGroupConfusion = ageConfusion.Select(r => r.Select(v => Math.Round(v, 4)).ToArray()).ToArray(),
            GenderConfusion = genderConfusion.Select(r => r.Select(v => Math.Round(v, 4)).ToArray()).ToArray(),
        };
    }

    /// <summary>
    /// Random weights of the true age groups for validation windows, smooth over age as a site's audience is: log-linear plus
    /// log-quadratic in the group's position, the youngest group up to twenty times as common as the oldest or the other way
    /// round, the middle up to 4.5 times the ends or the other way round.
    /// </summary>
    private static double[] RandomMix(int groups, Random random)
    {
        double slope = random.NextDouble() - 0.5, bend = random.NextDouble() - 0.5;
        return Enumerable.Range(0, groups).Select(g =>
        {
            double x = groups > 1 ? 2.0 * g / (groups - 1) - 1 : 0;
            return Math.Exp(Math.Log(20) * (slope * x + bend * x * x));
        }).ToArray();
    }

    /// <summary>
    /// The male share's error among people of each true age group, root mean square over men making up 25–75 % of them: with
    /// the mean P(male) of the group's men and of its women, a share m of men is estimated as m·P̄men + (1 − m)·P̄women.
    /// A group with fewer than 20 gender-labelled faces takes the pooled figure.
    /// </summary>
    private double[] MaleErrorByAgeGroup(IReadOnlyList<PredictedFace> validation, Random random)
    {
        int k = groups.Names.Count;
        var labelled = validation.Where(f => f.TrueMale is not null && f.HasAge).ToList();
        var group = labelled.Select(f => groups.IndexOf(f.DrawTrueAge(random))).ToArray();
        double Error(IEnumerable<int> faces)
        {
            var men = faces.Where(i => labelled[i].TrueMale!.Value).Select(i => labelled[i].MaleProbability).ToList();
            var women = faces.Where(i => !labelled[i].TrueMale!.Value).Select(i => labelled[i].MaleProbability).ToList();
            if (men.Count == 0 || women.Count == 0) return double.NaN;
            double pm = men.Average(), pw = women.Average(), sum = 0;
            const int steps = 51;
            for (int s = 0; s < steps; s++)
            {
                double m = 0.25 + 0.5 * s / (steps - 1);
                sum += Math.Pow(m * (pm - 1) + (1 - m) * pw, 2);
            }
            return Math.Sqrt(sum / steps);
        }
        double pooled = Error(Enumerable.Range(0, labelled.Count));
        if (double.IsNaN(pooled)) return [];
        return Enumerable.Range(0, k).Select(g =>
        {
            var faces = Enumerable.Range(0, labelled.Count).Where(i => group[i] == g).ToList();
            double e = faces.Count >= 20 ? Error(faces) : double.NaN;
            return Math.Round(double.IsNaN(e) ? pooled : e, 4);
        }).ToArray();
    }

    /// <summary>
    /// Fits <see cref="AudienceErrorModel.AgeScale"/> and <see cref="AudienceErrorModel.MaleScale"/> of <paramref name="raw"/>
    /// so that the 90 % intervals hold the truth in 90 % of windows of 20, 100 and 1,000 people with random mixes, drawn from
    /// each check's faces and counted with that check's model (bisection: coverage grows with the scale).
    /// </summary>
    private static readonly int[] CalibrationSizes = [20, 100, 1000];

    private AudienceErrorModel Calibrate(AudienceErrorModel raw, IReadOnlyList<(AudienceErrorModel Model, List<PredictedFace> Faces)> checks,
        Random random)
    {
        int k = groups.Names.Count;
        var windows = checks.SelectMany(c => CalibrationSizes.SelectMany(n => Enumerable.Range(0, 100)
            .Select(_ => (c.Model, Window: Draw(c.Faces, RandomMix(k, random), n, random))))).ToList();
        double AgeCoverage(double scale) => windows.Average(w =>
        {
            var figures = AudienceFigures.Expected(w.Window.All, w.Model with { AgeScale = scale });
            return Enumerable.Range(0, k).Average(g => Holds(figures.AgeGroups[g].Estimate, w.Window.True[g]) ? 1.0 : 0);
        });
        var gendered = windows.Where(w => w.Window.TrueMale is not null).ToList();
        double MaleCoverage(double scale) => gendered.Average(w
            => Holds(AudienceFigures.Expected(w.Window.Gendered, w.Model with { MaleScale = scale }).Male, w.Window.TrueMale!.Value) ? 1.0 : 0);
        return raw with
        {
            AgeScale = Math.Round(ScaleFor(AgeCoverage), 3),
            MaleScale = gendered.Count > 0 ? Math.Round(ScaleFor(MaleCoverage), 3) : 1,
        };
    }

    /// <summary>The smallest scale in [0, 10] whose coverage reaches 90 % (0 when the people's own uncertainty already does).</summary>
    private static double ScaleFor(Func<double, double> coverage)
    {
        double low = 0, high = 10;
        if (coverage(low) >= 0.9) return 0;
        for (int i = 0; i < 30; i++)
        {
            double mid = (low + high) / 2;
            if (coverage(mid) >= 0.9) high = mid;
            else low = mid;
        }
        return high;
    }

    private static bool Holds(ShareEstimate estimate, double truth) => truth >= estimate.Low - 1e-9 && truth <= estimate.High + 1e-9;

    /// <summary>Windows of <paramref name="people"/> drawn from <paramref name="test"/> with <paramref name="mix"/>, counted three ways.</summary>
    public SimulationRow Run(IReadOnlyList<PredictedFace> test, int people, string mixName, double[] mix, AudienceErrorModel model, int windows)
    {
        // A stable seed per size and mix (HashCode.Combine differs between processes): the same command, the same windows.
        var random = new Random(unchecked(seed * 1_000_003 + people * 7_919 + mixName.Aggregate(17, (h, c) => h * 31 + c)));
        var aged = test.Where(f => f.HasAge).ToList();
        int k = groups.Names.Count;
        var sums = new Dictionary<string, double>();
        void Add(string key, double v) => sums[key] = sums.GetValueOrDefault(key) + v;
        int maleWindows = 0;
        for (int w = 0; w < windows; w++)
        {
            var window = Draw(aged, mix, people, random);
            // Counted as the worker counts a window: the same tally, intervals and correction.
            var expected = AudienceFigures.Expected(window.All, model);
            var corrected = model.CanCorrect ? AudienceFigures.Corrected(window.All, model) : expected;
            for (int g = 0; g < k; g++)
            {
                double truth = window.True[g];
                var estimate = expected.AgeGroups[g].Estimate;
                Add("hard", Math.Abs(window.All.HardAgeCount(g) / (double)people - truth) / k);
                Add("expected", Math.Abs(estimate.Share - truth) / k);
                Add("corrected", Math.Abs(corrected.AgeGroups[g].Estimate.Share - truth) / k);
                Add("ageCovered", Holds(estimate, truth) ? 1.0 / k : 0);
            }
            if (window.TrueMale is { } male)
            {
                maleWindows++;
                var men = AudienceFigures.Expected(window.Gendered, model).Male;
                var correctedMen = model.CanCorrect ? AudienceFigures.Corrected(window.Gendered, model).Male : men;
                Add("maleHard", Math.Abs(window.Gendered.HardMen / (double)window.Gendered.People - male));
                Add("maleExpected", Math.Abs(men.Share - male));
                Add("maleCorrected", Math.Abs(correctedMen.Share - male));
                Add("maleCovered", Holds(men, male) ? 1 : 0);
            }
        }
        double A(string key) => sums.GetValueOrDefault(key) / windows;
        double? M(string key) => maleWindows > 0 ? sums.GetValueOrDefault(key) / maleWindows : null;
        return new SimulationRow(people, mixName,
            new CountingError(A("hard"), M("maleHard") ?? double.NaN),
            new CountingError(A("expected"), M("maleExpected") ?? double.NaN, A("ageCovered"), M("maleCovered")),
            new CountingError(A("corrected"), M("maleCorrected") ?? double.NaN));
    }

    /// <summary>
    /// One window: the true share of each age group, its people tallied as the worker tallies them (<see cref="All"/>), and
    /// for the male share those with a gender label (<see cref="Gendered"/>) with their true male share.
    /// </summary>
    private sealed record Window(double[] True, AudienceTally All, AudienceTally Gendered, double? TrueMale)
    {
        public double ExpectedShare(int group) => All.AgeExpected[group] / All.People;
        public double ExpectedMale => Gendered.MaleExpected / Gendered.People;
    }

    private Window Draw(List<PredictedFace> faces, double[] mix, int people, Random random)
    {
        int k = groups.Names.Count;
        // The faces of each true group for this window (an interval label drawn once per face and window).
        var trueGroup = faces.Select(f => groups.IndexOf(f.DrawTrueAge(random))).ToArray();
        var byGroup = Enumerable.Range(0, k).Select(g => Enumerable.Range(0, faces.Count).Where(i => trueGroup[i] == g).ToList()).ToArray();
        var weights = mix.Select((w, g) => byGroup[g].Count > 0 ? w : 0).ToArray();
        double total = weights.Sum();
        if (total <= 0) throw new ArgumentException("No labelled face falls in any group the mix weighs.");
        var truth = new double[k];
        AudienceTally all = new(groups.Names), gendered = new(groups.Names);
        int trueMen = 0;
        for (int n = 0; n < people; n++)
        {
            double u = random.NextDouble() * total;
            int g = 0;
            while (g < k - 1 && (u -= weights[g]) > 0) g++;
            while (byGroup[g].Count == 0) g = (g + 1) % k;
            var f = faces[byGroup[g][random.Next(byGroup[g].Count)]];
            truth[g] += 1.0 / people;
            all.Add(f.Age, f.Uncertainty, f.MaleProbability, groups);
            if (f.TrueMale is { } m)
            {
                gendered.Add(f.Age, f.Uncertainty, f.MaleProbability, groups);
                trueMen += m ? 1 : 0;
            }
        }
        return new Window(truth, all, gendered, gendered.People > 0 ? trueMen / (double)gendered.People : null);
    }

    private static void Normalize(double[] row)
    {
        double sum = row.Sum();
        if (sum > 0) for (int i = 0; i < row.Length; i++) row[i] /= sum;
    }
}
