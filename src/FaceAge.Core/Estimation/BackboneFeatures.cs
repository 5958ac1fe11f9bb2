namespace FaceAge.Core.Estimation;

/// <summary>
/// What a trained head sees of one face view: faceres-deep's 1024-d descriptor, its 100 age-bin
/// probabilities and its P(male), in that order. The layout name is stored in the head's ONNX metadata so a
/// head trained on another layout is refused.
/// </summary>
public static class BackboneFeatures
{
    public const string Layout = "faceres-deep:descriptor1024+age100+male1";
    public const int DescriptorLength = 1024, AgeBins = 100, Length = DescriptorLength + AgeBins + 1;

    public static void Compose(ReadOnlySpan<float> descriptor, ReadOnlySpan<float> ageProbabilities, float maleProbability, Span<float> destination)
    {
        if (descriptor.Length != DescriptorLength || ageProbabilities.Length != AgeBins || destination.Length != Length)
            throw new ArgumentException($"Backbone features are {DescriptorLength} + {AgeBins} + 1 values.");
        descriptor.CopyTo(destination);
        ageProbabilities.CopyTo(destination[DescriptorLength..]);
        destination[^1] = maleProbability;
    }
}
