using System.CommandLine;
using FaceAge.Cli.Commands;

var root = new RootCommand("FaceAge: anonymous face age and gender estimation from images, videos and camera streams.");
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(AnalyzeCommand.Create());
root.Subcommands.Add(CompareCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return await root.Parse(args).InvokeAsync();
