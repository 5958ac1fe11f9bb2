using FaceAge.Core.Analysis;

namespace FaceAge.Core.Evaluation;

/// <summary>One labelled image: path, true age (if known), true gender (if known).</summary>
public sealed record LabeledFace(string Path, double? Age, Gender? Gender);

/// <summary>A label row that could not be read, with its line number.</summary>
public sealed record LabelError(int Line, string Message);
