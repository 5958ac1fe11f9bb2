using OpenCvSharp;

namespace FaceAge.Core.Estimation;

/// <summary>Age, gender and descriptor of face crops (<see cref="FaceResEstimator.InputSize"/>² BGR), one batched run. Thread-safe.</summary>
public interface IAgeGenderEstimator
{
    IReadOnlyList<FaceAttributes> Estimate(IReadOnlyList<Mat> crops);
}
