namespace FaceAge.Core.Alignment;

/// <summary>
/// Where a head is turned, in degrees: <see cref="Yaw"/> &gt; 0 when the face turns towards the image's right (the
/// subject's left), <see cref="Pitch"/> &gt; 0 when it tilts up, <see cref="Roll"/> &gt; 0 when it leans clockwise in
/// the image. 0, 0, 0 faces the camera.
/// </summary>
public readonly record struct HeadPose(double Yaw, double Pitch, double Roll);
