using FaceAge.Core.Alignment;
using FaceAge.Core.Analysis;
using FaceAge.Core.Inference;

namespace FaceAge.Core.Verification;

/// <summary>
/// Recognition embeddings of the worker's age/gender crops (<see cref="FaceCrop"/>), for re-entry and track re-linking:
/// the face located in its crop (<see cref="FaceCropper.InCrop"/>), its landmarks found there (unless the detector gave
/// them), the face aligned on the five-point template and embedded, all crops of a batch in one run. Embeddings stay in
/// memory with the person they belong to (docs/privacy.md).
/// </summary>
public sealed class CropEmbedder(IFaceLandmarker landmarks, AlignedFaceEmbedder embedder, FaceCropper cropper) : IDisposable
{
    /// <summary>The landmark finder and embedding `faceage bench verify` measured best for the worker (docs/accuracy.md).</summary>
    public static CropEmbedder Create(string modelsDirectory, OnnxSessionFactory sessions, FaceCropper cropper)
    {
        var finder = FaceLandmarkers.Create(Landmark68Model.Name, modelsDirectory, sessions);
        try
        {
            return new CropEmbedder(finder, FaceEmbedders.CreateAligned("fr-feature-int8", modelsDirectory, sessions), cropper);
        }
        catch
        {
            finder.Dispose();
            throw;
        }
    }

    public string Name => embedder.Name;

    public IReadOnlyList<float[]> Embed(IReadOnlyList<FaceCrop> crops)
    {
        var faces = crops.Select(c =>
        {
            var inCrop = cropper.InCrop(c.Detection, c.Crop.Width);
            return (c.Crop, landmarks.WithLandmarks(c.Crop, [inCrop])[0]);
        }).ToList();
        return embedder.Embed(faces);
    }

    public void Dispose()
    {
        landmarks.Dispose();
        embedder.Dispose();
    }
}
