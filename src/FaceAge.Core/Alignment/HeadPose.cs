using OpenCvSharp;

namespace FaceAge.Core.Alignment;

/// <summary>
/// Where a head is turned, in degrees: <see cref="Yaw"/> &gt; 0 when the face turns towards the image's right (the
/// subject's left), <see cref="Pitch"/> &gt; 0 when it tilts up, <see cref="Roll"/> &gt; 0 when it leans clockwise in
/// the image. 0, 0, 0 faces the camera.
/// </summary>
public readonly record struct HeadPose(double Yaw, double Pitch, double Roll)
{
    /// <summary>
    /// The pose of a face from its 68 iBUG landmarks (x, y in image pixels, interleaved; <see cref="Landmark68Model"/>):
    /// six of them (nose tip, chin, the eyes' outer corners, the mouth corners) fitted to the same points of a mean
    /// 3-D face by OpenCV's solvePnP, the camera's focal length taken as <see cref="FocalLengthInFaceSizes"/> times the
    /// face's size on screen (the larger span of its points; a face 2 m from a camera is about 13 face sizes away).
    /// </summary>
    public static HeadPose FromLandmarks(ReadOnlySpan<float> points)
    {
        if (points.Length != Landmark68Model.Points * 2) throw new ArgumentException($"{Landmark68Model.Points} points expected.", nameof(points));
        var image = new Point2f[ModelIndices.Length];
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue, cx = 0, cy = 0;
        for (int i = 0; i < ModelIndices.Length; i++)
        {
            image[i] = new Point2f(points[2 * ModelIndices[i]], points[2 * ModelIndices[i] + 1]);
            cx += image[i].X / ModelIndices.Length;
            cy += image[i].Y / ModelIndices.Length;
        }
        for (int p = 0; p < Landmark68Model.Points; p++)
        {
            minX = Math.Min(minX, points[2 * p]);
            maxX = Math.Max(maxX, points[2 * p]);
            minY = Math.Min(minY, points[2 * p + 1]);
            maxY = Math.Max(maxY, points[2 * p + 1]);
        }
        double focal = FocalLengthInFaceSizes * Math.Max(1, Math.Max(maxX - minX, maxY - minY));
        double[,] camera = { { focal, 0, cx }, { 0, focal, cy }, { 0, 0, 1 } };
        // A face seen from the front, nose tip towards the camera: the starting point of the iterative fit.
        double[] rotation = [0, 0, 0], translation = [0, 0, MeanFaceSize * FocalLengthInFaceSizes];
        Cv2.SolvePnP(MeanFace, image, camera, null, ref rotation, ref translation, useExtrinsicGuess: true, SolvePnPMethod.Iterative);
        Cv2.Rodrigues(rotation, out var r, out _);
        // The direction the face points (the model's −z, towards the camera) and its x axis, in camera coordinates (y down).
        double dx = -r[0, 2], dy = -r[1, 2], dz = -r[2, 2];
        double yaw = Degrees(Math.Atan2(dx, -dz));
        double pitch = Degrees(Math.Atan2(-dy, Math.Sqrt(dx * dx + dz * dz)));
        double roll = Degrees(Math.Atan2(r[1, 0], r[0, 0]));
        return new HeadPose(yaw, pitch, roll);
    }

    /// <summary>The camera's focal length in face sizes for <see cref="FromLandmarks"/>.</summary>
    public const double FocalLengthInFaceSizes = 12;

    private static double Degrees(double radians) => radians * 180 / Math.PI;

    /// <summary>iBUG indices of the fitted points: nose tip, chin, outer corner of the image-left and image-right eye, mouth corners.</summary>
    private static readonly int[] ModelIndices = [30, 8, 36, 45, 48, 54];

    /// <summary>
    /// The same points on a mean face (arbitrary units, 450 between the eyes' outer corners), in camera axes: x to
    /// the image's right, y down, z away from the camera; the nose tip at the origin, nearest the camera.
    /// </summary>
    private static readonly Point3f[] MeanFace =
    [
        new(0, 0, 0),
        new(0, 330, 65),
        new(-225, -170, 135),
        new(225, -170, 135),
        new(-150, 150, 125),
        new(150, 150, 125),
    ];

    /// <summary>The larger span of <see cref="MeanFace"/>: eye corners to chin.</summary>
    public const double MeanFaceSize = 500;
}
