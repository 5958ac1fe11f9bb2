using FaceAge.Core.Sources;

namespace FaceAge.Core.Tests.Sources;

public class FfprobeOutputTests
{
    [Fact]
    public void File_output_gives_size_rate_and_duration()
    {
        var info = FfprobeOutput.Parse("width=1280\nheight=720\navg_frame_rate=30000/1001\nr_frame_rate=30/1\nduration=33.000000\n");
        Assert.NotNull(info);
        Assert.Equal((1280, 720), (info.Width, info.Height));
        Assert.Equal(29.97, info.FramesPerSecond, 2);
        Assert.Equal(TimeSpan.FromSeconds(33), info.Duration);
    }

    [Fact]
    public void Live_stream_without_average_rate_falls_back_to_r_frame_rate_and_has_no_duration()
    {
        var info = FfprobeOutput.Parse("width=640\nheight=360\navg_frame_rate=0/0\nr_frame_rate=25/1\nduration=N/A\n");
        Assert.Equal(25, info!.FramesPerSecond);
        Assert.Null(info.Duration);
    }

    [Fact]
    public void Output_without_a_video_size_is_no_stream() => Assert.Null(FfprobeOutput.Parse("duration=3.0\n"));
}
