using FaceAge.Worker.Detection;

namespace FaceAge.Worker.Tests.Detection;

public class DetectorPacingTests
{
    [Fact]
    public void Above_the_target_with_cameras_queueing_the_detector_gets_less_time_the_more_the_machine_is_over()
    {
        var slight = new DetectorGate(1);
        var far = new DetectorGate(1);
        double a = new DetectorPacing(slight, 0.8).Update(0.85, camerasQueued: true);
        double b = new DetectorPacing(far, 0.8).Update(0.95, camerasQueued: true);
        Assert.Equal(0.9, a, 3);
        Assert.Equal(0.7, b, 3);
    }

    [Fact]
    public void However_long_the_machine_stays_overloaded_the_detector_keeps_a_quarter_of_the_time()
    {
        var gate = new DetectorGate(1);
        var pacing = new DetectorPacing(gate, 0.8);
        for (int s = 0; s < 30; s++) pacing.Update(1.0, camerasQueued: true);
        Assert.Equal(DetectorPacing.MinDuty, gate.Duty);
    }

    [Fact]
    public void Below_the_target_by_5_points_the_detector_gets_its_time_back_step_by_step()
    {
        var gate = new DetectorGate(1) { Duty = 0.5 };
        var pacing = new DetectorPacing(gate, 0.8);
        Assert.Equal(0.5, pacing.Update(0.78, camerasQueued: true), 3); // within 5 points: held
        Assert.Equal(0.6, pacing.Update(0.74, camerasQueued: true), 3);
        for (int s = 0; s < 10; s++) pacing.Update(0.5, camerasQueued: true);
        Assert.Equal(1, gate.Duty);
    }

    [Fact]
    public void A_machine_busy_with_other_work_does_not_slow_a_detector_that_keeps_up()
    {
        var gate = new DetectorGate(1);
        var pacing = new DetectorPacing(gate, 0.8);
        Assert.Equal(1, pacing.Update(1.0, camerasQueued: false));
        gate.Duty = 0.5;
        Assert.Equal(0.6, pacing.Update(1.0, camerasQueued: false), 3);
    }
}
