using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.ModelFiles;
using FaceAge.Testing;

namespace FaceAge.Core.Tests.ModelFiles;

/// <summary>
/// The default age/gender heads are committed under models/heads/ with their model cards: the file must be the one
/// its card describes, small, licensed, scored on every dev set, and trained on the very face models set-up builds.
/// </summary>
public class CommittedHeadsTests
{
    public static TheoryData<string> Heads => new() { "age-gender", "age-gender-lite" };

    private static JsonElement Card(string name)
        => JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Models, "heads", name + ".card.json"))).RootElement;

    [Theory]
    [MemberData(nameof(Heads))]
    public void The_committed_head_is_the_file_its_model_card_describes(string name)
    {
        var head = Path.Combine(RepoPaths.Models, "heads", name + ".onnx");
        Assert.True(File.Exists(head), $"{head} is missing");
        Assert.InRange(new FileInfo(head).Length, 1, 5 * 1024 * 1024);
        var card = Card(name);
        Assert.Equal(name + ".onnx", card.GetProperty("Head").GetString());
        Assert.Equal(card.GetProperty("HeadSha256").GetString(), ModelIntegrity.Sha256Of(head));
        ModelIntegrity.Verify(head); // what the loader checks too
        Assert.Contains("faceage train", card.GetProperty("Command").GetString());
        Assert.Contains("non-commercial", card.GetProperty("Licence").GetString());
        Assert.True(File.Exists(Path.Combine(RepoPaths.Models, "heads", name + ".card.md")), "the readable model card is missing");
    }

    [Theory]
    [MemberData(nameof(Heads))]
    public void The_head_was_trained_on_the_face_models_that_set_up_builds_and_scored_on_every_dev_set(string name)
    {
        var card = Card(name);
        foreach (var model in card.GetProperty("Models").EnumerateArray())
        {
            var file = RepoPaths.Model(model.GetProperty("File").GetString()!);
            Assert.True(File.Exists(file), $"{file} is not built");
            Assert.Equal(model.GetProperty("Sha256").GetString(), ModelIntegrity.Sha256Of(file));
        }
        var sets = card.GetProperty("Data").EnumerateArray().Select(d => d.GetProperty("Name").GetString()).ToList();
        Assert.Equal(["utkface-dev", "fairface-dev", "fgnet-dev"], sets);
        Assert.Equal(sets, card.GetProperty("CrossValidation").GetProperty("Metrics").EnumerateArray().Select(m
            => m.GetProperty("Dataset").GetString()).ToList());
    }

    [Fact]
    public void The_analyzer_defaults_to_the_committed_ensemble_head()
    {
        Assert.Equal("heads/age-gender.onnx", new AnalyzerOptions().AgeGenderHead);
        Assert.Empty(new AnalyzerOptions().Validate());
        Assert.Empty(new AnalyzerOptions { AgeGenderHead = "" }.Validate()); // empty: the model's own outputs
        Assert.Contains(new AnalyzerOptions { AgeGenderHead = "heads/x.txt" }.Validate(), e => e.Contains("Analysis:AgeGenderHead"));
    }
}
