using FaceAge.Core.Detection;

namespace FaceAge.Core.Tests.Detection;

public class BlazeFaceAnchorsTests
{
    [Theory]
    [InlineData(128, false)]
    [InlineData(256, true)]
    public void Both_models_have_896_anchors_two_per_fine_cell_then_six_per_coarse_cell(int size, bool back)
    {
        var anchors = BlazeFaceAnchors.Generate(size, back ? BlazeFaceAnchors.BackStrides : BlazeFaceAnchors.FrontStrides);
        Assert.Equal(896, anchors.Length);
        Assert.Equal((0.5f / 16, 0.5f / 16), anchors[0]);
        Assert.Equal(anchors[0], anchors[1]);              // two anchors share the first cell
        Assert.Equal((1.5f / 16, 0.5f / 16), anchors[2]);  // then the next cell to the right
        Assert.Equal((0.5f / 8, 0.5f / 8), anchors[512]);  // coarse grid starts after 16×16×2
        Assert.Equal((7.5f / 8, 7.5f / 8), anchors[^1]);
    }
}
