using FaceAge.Core.Detection;

namespace FaceAge.Core.Tests.Detection;

public class NonMaxSuppressionTests
{
    [Fact]
    public void Iou_of_half_overlapping_boxes_is_one_third()
        => Assert.Equal(1f / 3, new BoxF(0, 0, 10, 10).IntersectionOverUnion(new BoxF(5, 0, 10, 10)), 5);

    [Fact]
    public void Disjoint_boxes_have_zero_iou() => Assert.Equal(0, new BoxF(0, 0, 10, 10).IntersectionOverUnion(new BoxF(20, 20, 5, 5)));

    [Fact]
    public void Overlapping_weaker_box_is_suppressed_and_separate_box_kept()
    {
        var kept = NonMaxSuppression.Apply(
        [
            new FaceDetection(new BoxF(0, 0, 10, 10), 0.8f),
            new FaceDetection(new BoxF(1, 1, 10, 10), 0.9f),
            new FaceDetection(new BoxF(50, 50, 10, 10), 0.75f),
        ], iouThreshold: 0.3f);
        Assert.Equal([0.9f, 0.75f], kept.Select(k => k.Score));
    }
}
