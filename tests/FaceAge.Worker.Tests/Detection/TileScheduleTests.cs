using FaceAge.Worker.Detection;

namespace FaceAge.Worker.Tests.Detection;

public class TileScheduleTests
{
    private static string Run(int everyNth, string behind)
    {
        // One character per detected frame: 'T' tiled, 'p' tiles postponed, '.' whole frame only.
        var schedule = new TileSchedule(everyNth);
        return string.Concat(behind.Select(b =>
        {
            bool tiled = schedule.Next(b == 'b', out bool postponed);
            return tiled ? 'T' : postponed ? 'p' : '.';
        }));
    }

    [Theory]
    [InlineData(1, "TTTTTT")]
    [InlineData(2, "T.T.T.T.")]
    [InlineData(4, "T...T...T")]
    public void A_camera_that_keeps_up_gets_its_tiles_on_every_nth_frame_starting_with_the_first(int everyNth, string expected)
    {
        Assert.Equal(expected, Run(everyNth, new string('-', expected.Length)));
    }

    [Fact]
    public void A_camera_that_fell_behind_puts_its_next_tiles_off_but_never_past_twice_the_interval()
    {
        // Frames were dropped once, after the first tiled frame: the due tiles wait until 2N, run, and all is forgotten.
        Assert.Equal("T.ppT.T.T.", Run(2, "-b--------"));
        // Behind all the time: tiles on every 2N-th frame, half as often, never none.
        Assert.Equal("T.ppT.ppT", Run(2, "-bbbbbbbb"));
        Assert.Equal("TpTpT", Run(1, "-bbbb"));
    }

    [Fact]
    public void The_interval_must_be_at_least_one_frame()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileSchedule(0));
    }
}
