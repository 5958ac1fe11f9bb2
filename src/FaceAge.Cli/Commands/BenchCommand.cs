using System.CommandLine;

namespace FaceAge.Cli.Commands;

/// <summary>`faceage bench`: the benchmarks, one subcommand each.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks.");
        bench.Subcommands.Add(DetectorBenchCommand.Create());
        bench.Subcommands.Add(EstimatorBenchCommand.Create());
        bench.Subcommands.Add(PrecisionBenchCommand.Create());
        bench.Subcommands.Add(VerifyBenchCommand.Create());
        bench.Subcommands.Add(LandmarkBenchCommand.Create());
        bench.Subcommands.Add(PoseBenchCommand.Create());
        bench.Subcommands.Add(AttentionBenchCommand.Create());
        bench.Subcommands.Add(FaceFreeVideoCommand.Create());
        bench.Subcommands.Add(FusionBenchCommand.Create());
        bench.Subcommands.Add(SharesBenchCommand.Create());
        return bench;
    }
}
