namespace FaceAge.Core.Estimation;

/// <summary>
/// What a trained head or face check sees of one face view from the estimator's network: its 1024-d descriptor, its 100
/// age-bin probabilities and its P(male), in that order. The network's layout name ("faceres-deep:descriptor1024+age100+male1")
/// is stored in the head's ONNX metadata so that a head trained on another network's features is refused.
/// </summary>
public static class BackboneFeatures
{
    /// <summary>The layout's parts after the network's name (a head's metadata holds "name:" + this).</summary>
    public const string LayoutParts = "descriptor1024+age100+male1";
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
