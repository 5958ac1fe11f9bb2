using FaceAge.Core.Alignment;
using Xunit.Abstractions;

namespace FaceAge.Core.Tests.Alignment;

/// <summary>
/// Head pose fitted to 68 landmarks: known poses of the mean face come back (the fit's geometry; real faces: HeadPoseModelTests, accuracy.md).
/// </summary>
public class HeadPoseTests(ITestOutputHelper output)
{
    // The six fitted points of the mean face (x right, y down, z away from the camera), by iBUG index.
    private static readonly (int Index, double X, double Y, double Z)[] Face =
        [(30, 0, 0, 0), (8, 0, 330, 65), (36, -225, -170, 135), (45, 225, -170, 135), (48, -150, 150, 125), (54, 150, 150, 125)];

    /// <summary>
    /// The 68 points of the mean face turned by yaw and pitch, seen from as many face sizes as the fit assumes (points not fitted
    /// sit on the nose tip).
    /// </summary>
    private static float[] Seen(double yaw, double pitch)
    {
        double y = yaw * Math.PI / 180, p = pitch * Math.PI / 180;
        var points = new float[136];
        const double focal = 1000, distance = HeadPose.FocalLengthInFaceSizes * HeadPose.MeanFaceSize;
        (double X, double Y) Project(double x, double yy, double z)
        {
            // R = Ry(−yaw)·Rx(−pitch): the face's forward direction turns right by yaw and up by pitch.
            double y1 = yy * Math.Cos(-p) - z * Math.Sin(-p), z1 = yy * Math.Sin(-p) + z * Math.Cos(-p);
            double x2 = x * Math.Cos(-y) + z1 * Math.Sin(-y), z2 = -x * Math.Sin(-y) + z1 * Math.Cos(-y);
            return (320 + focal * x2 / (z2 + distance), 240 + focal * y1 / (z2 + distance));
        }
        var nose = Project(0, 0, 0);
        for (int i = 0; i < 68; i++) (points[2 * i], points[2 * i + 1]) = ((float)nose.X, (float)nose.Y);
        foreach (var (index, x, yy, z) in Face)
        {
            var (u, v) = Project(x, yy, z);
            (points[2 * index], points[2 * index + 1]) = ((float)u, (float)v);
        }
        return points;
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(30, 0)]
    [InlineData(-30, 0)]
    [InlineData(0, 20)]
    [InlineData(0, -20)]
    [InlineData(25, -15)]
    [InlineData(-50, 10)]
    public void A_mean_face_turned_by_known_angles_gives_them_back(double yaw, double pitch)
    {
        var pose = HeadPose.FromLandmarks(Seen(yaw, pitch));
        output.WriteLine($"asked {yaw}, {pitch}: got {pose}");
        Assert.InRange(pose.Yaw, yaw - 1.5, yaw + 1.5);
        Assert.InRange(pose.Pitch, pitch - 1.5, pitch + 1.5);
        Assert.InRange(pose.Roll, -1.5, 1.5);
    }
}
