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
    /// what is left is the estimator's bias, not chance), and the confusion of expected groups and genders.
    /// </summary>
    public AudienceErrorModel Measure(IReadOnlyList<PredictedFace> validation, int windows = 400)
    {
        var random = new Random(seed);
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
            var weights = Enumerable.Range(0, k).Select(_ => Math.Pow(random.NextDouble(), 2)).ToArray();
            var window = Draw(aged, weights, 1000, random);
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
            AgeGroupConfusion = ageConfusion.Select(r => r.Select(v => Math.Round(v, 4)).ToArray()).ToArray(),
            GenderConfusion = genderConfusion.Select(r => r.Select(v => Math.Round(v, 4)).ToArray()).ToArray(),
        };
    }

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
                Add("ageCovered", truth >= estimate.Low - 1e-9 && truth <= estimate.High + 1e-9 ? 1.0 / k : 0);
            }
            if (window.TrueMale is { } male)
            {
                maleWindows++;
                var men = AudienceFigures.Expected(window.Gendered, model).Male;
                var correctedMen = model.CanCorrect ? AudienceFigures.Corrected(window.Gendered, model).Male : men;
                Add("maleHard", Math.Abs(window.Gendered.HardMen / (double)window.Gendered.People - male));
                Add("maleExpected", Math.Abs(men.Share - male));
                Add("maleCorrected", Math.Abs(correctedMen.Share - male));
                Add("maleCovered", male >= men.Low - 1e-9 && male <= men.High + 1e-9 ? 1 : 0);
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
