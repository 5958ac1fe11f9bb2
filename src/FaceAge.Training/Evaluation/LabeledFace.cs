using FaceAge.Core.Analysis;

namespace FaceAge.Training.Evaluation;

/// <summary>
/// One labelled image: path, and whatever its label holds — the true age, the true gender, the true age group
/// (an interval, when labels are groups, e.g. FairFace's "3-9"), the subject (the person; photos of one person
/// must stay in one fold), the race group the data set gives (accuracy is reported per group).
/// </summary>
public sealed record LabeledFace(string Path, double? Age, Gender? Gender, AgeInterval? AgeGroup = null, string? Subject = null, string? Race = null)
{
    /// <summary>Has an age to learn from or score: an exact age or an age group.</summary>
    public bool HasAgeLabel => Age is not null || AgeGroup is not null;
}

/// <summary>A label that could not be read: its line number (CSV) or 0, and a message naming the row or file.</summary>
public sealed record LabelError(int Line, string Message);
