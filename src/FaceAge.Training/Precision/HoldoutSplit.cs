namespace FaceAge.Training.Precision;

/// <summary>
/// A fixed half of a data set kept out of the face check's training, so its benchmark scores faces the check never
/// saw: an image is held out when the FNV-1a hash of its file name is odd (stable across machines and runs).
/// </summary>
public static class HoldoutSplit
{
    public static bool IsHoldout(string path)
    {
        uint hash = 2166136261;
        foreach (char c in Path.GetFileName(path)) hash = (hash ^ c) * 16777619;
        return (hash & 1) == 1;
    }
}
