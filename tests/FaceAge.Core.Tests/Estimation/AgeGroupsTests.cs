using FaceAge.Core.Estimation;

namespace FaceAge.Core.Tests.Estimation;

public class AgeGroupsTests
{
    [Theory]
    [InlineData(0, "0-12")]
    [InlineData(12.9, "0-12")]
    [InlineData(13, "13-17")]
    [InlineData(24.99, "18-24")]
    [InlineData(64.5, "55-64")]
    [InlineData(90, "65+")]
    public void Default_groups_bucket_ages(double age, string group) => Assert.Equal(group, new AgeGroups().Of(age));

    [Fact]
    public void Custom_bounds_name_their_buckets()
        => Assert.Equal(["0-17", "18-59", "60+"], new AgeGroups([0, 18, 60]).Names);

    [Theory]
    [InlineData(new[] { 5, 18 })]
    [InlineData(new[] { 0, 18, 18 })]
    public void Bad_bounds_are_rejected(int[] bounds) => Assert.Throws<ArgumentException>(() => new AgeGroups(bounds));
}
