using FaceAge.Core.Analysis;

namespace FaceAge.Training.Evaluation;

/// <summary>One labelled image: path, true age (if known), true gender (if known), true age group (when labels are groups, e.g. "25-34").</summary>
public sealed record LabeledFace(string Path, double? Age, Gender? Gender, string? AgeGroup = null);

/// <summary>A label that could not be read: its line number (CSV) or 0, and a message naming the row or file.</summary>
public sealed record LabelError(int Line, string Message);
