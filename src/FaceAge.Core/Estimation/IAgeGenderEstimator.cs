using OpenCvSharp;

namespace FaceAge.Core.Estimation;

/// <summary>Age, gender and descriptor of square BGR face crops (the analyzer cuts them 224 px), one batched run. Thread-safe.</summary>
public interface IAgeGenderEstimator
{
    IReadOnlyList<FaceAttributes> Estimate(IReadOnlyList<Mat> crops);
}
