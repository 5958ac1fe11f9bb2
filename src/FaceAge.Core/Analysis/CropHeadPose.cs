using FaceAge.Core.Alignment;
using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;

namespace FaceAge.Core.Analysis;

/// <summary>
/// Head pose of the worker's age/gender crops (<see cref="FaceCrop"/>): the face located in its crop
/// (<see cref="FaceCropper.InCrop"/>), fr-landmark68's points found there, all crops of a batch in one run, and the
/// linear map distilled from fr-pose (<see cref="LandmarkPose"/>) turning the points into yaw and pitch. Only the
/// angles leave this class.
/// </summary>
public sealed class CropHeadPose(Landmark68Model landmarks, LandmarkPose map, FaceCropper cropper) : IDisposable
{
    /// <summary>The landmark network and the map from the models folder; an error names a missing file.</summary>
    public static CropHeadPose Create(string modelsDirectory, OnnxSessionFactory sessions, FaceCropper cropper)
    {
        var map = LandmarkPose.Load(Path.Combine(modelsDirectory, LandmarkPose.File));
        return new CropHeadPose(new Landmark68Model(sessions.Create(ModelDirectory.Require(modelsDirectory, Landmark68Model.File))), map, cropper);
    }

    public IReadOnlyList<HeadPose> Estimate(IReadOnlyList<FaceCrop> crops)
    {
        var points = landmarks.Locate(crops.Select(c => (c.Crop, cropper.InCrop(c.Detection, c.Crop.Width).Box)).ToList());
        return points.Select(p => map.Estimate(p)).ToList();
    }

    public void Dispose() => landmarks.Dispose();
}
