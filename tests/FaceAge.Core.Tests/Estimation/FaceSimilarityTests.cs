using FaceAge.Core.Estimation;

namespace FaceAge.Core.Tests.Estimation;

public class FaceSimilarityTests
{
    [Fact]
    public void Cosine_of_a_vector_with_itself_is_one_and_with_its_opposite_minus_one()
    {
        float[] a = [1, 2, -3];
        Assert.Equal(1, FaceSimilarity.Cosine(a, a), 6);
        Assert.Equal(-1, FaceSimilarity.Cosine(a, a.Select(v => -v).ToArray()), 6);
    }

    [Fact]
    public void A_common_component_hides_the_difference_until_the_centre_is_subtracted()
    {
        float[] centre = [10, 10, 10, 10];
        float[] a = [11, 10, 10, 10], b = [10, 11, 10, 10];  // orthogonal around the centre
        Assert.True(FaceSimilarity.Cosine(a, b) > 0.98);
        Assert.Equal(0, FaceSimilarity.Cosine(a, b, centre), 6);
    }

    [Fact]
    public void Embeddings_of_different_lengths_are_refused()
        => Assert.Throws<ArgumentException>(() => FaceSimilarity.Cosine(new float[3], new float[4]));
}
