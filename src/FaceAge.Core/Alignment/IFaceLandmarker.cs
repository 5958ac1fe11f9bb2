using FaceAge.Core.Detection;
using OpenCvSharp;

namespace FaceAge.Core.Alignment;

/// <summary>
/// Finds the eye centres, nose tip and mouth of detected faces (<see cref="FaceLandmarks"/>), for detectors that give
/// none (UltraFace): the points <see cref="FaceAlignment"/> aligns recognition crops by.
/// </summary>
public interface IFaceLandmarker : IDisposable
{
    /// <summary>Registry name (<see cref="FaceLandmarkers"/>).</summary>
    string Name { get; }

    /// <summary>The faces of the BGR image with landmarks; a face already with landmarks, or whose landmarks are not found, is returned as it is.</summary>
    IReadOnlyList<FaceDetection> WithLandmarks(Mat bgr, IReadOnlyList<FaceDetection> faces);
}
