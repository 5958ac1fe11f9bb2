using System.Text.Json;
using FaceAge.Core.Analysis;
using FaceAge.Core.ModelFiles;
using FaceAge.Testing;

namespace FaceAge.Core.Tests.ModelFiles;

/// <summary>
/// The age/gender heads are committed under models/heads/ with their model cards: the file must be the one its card
/// describes, small, licensed as its data, trained on the very face models set-up builds and on the data sets
/// tools/training/train-heads.sh names (never on fairface-val or fairface-dev, which docs/accuracy.md scores them on).
/// </summary>
public class CommittedHeadsTests
{
    public static TheoryData<string> Heads => new() { "age-gender-lite", "age-gender-lite-ccby" };

    private static readonly Dictionary<string, string[]> TrainedOn = new()
    {
        ["age-gender-lite"] = ["fairface-train", "utkface-dev", "fgnet-dev"],
        ["age-gender-lite-ccby"] = ["fairface-train"],
    };

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
        // Only FairFace (CC BY 4.0) may be used commercially; a head that saw UTKFace or FG-NET says non-commercial.
        var licence = card.GetProperty("Licence").GetString()!;
        if (TrainedOn[name].SequenceEqual(["fairface-train"])) Assert.DoesNotContain("non-commercial", licence);
        else Assert.Contains("non-commercial", licence);
        Assert.Contains("CC BY 4.0", licence);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Models, "heads", name + ".card.md")), "the readable model card is missing");
    }

    [Theory]
    [MemberData(nameof(Heads))]
    public void The_head_was_trained_on_the_face_models_that_set_up_builds_and_validated_on_each_of_its_data_sets(string name)
    {
        var card = Card(name);
        foreach (var model in card.GetProperty("Models").EnumerateArray())
        {
            var file = RepoPaths.Model(model.GetProperty("File").GetString()!);
            Assert.True(File.Exists(file), $"{file} is not built");
            Assert.Equal(model.GetProperty("Sha256").GetString(), ModelIntegrity.Sha256Of(file));
        }
        var sets = card.GetProperty("Data").EnumerateArray().Select(d => d.GetProperty("Name").GetString()).ToList();
        Assert.Equal(TrainedOn[name], sets);
        Assert.Equal(sets, card.GetProperty("Validation").EnumerateArray().Select(m => m.GetProperty("Dataset").GetString()).ToList());
    }

    [Fact]
    public void The_analyzer_defaults_to_the_committed_lite_head()
    {
        Assert.Equal("heads/age-gender-lite.onnx", new AnalyzerOptions().AgeGenderHead);
        Assert.Empty(new AnalyzerOptions().Validate());
        Assert.Empty(new AnalyzerOptions { AgeGenderHead = "" }.Validate()); // empty: the model's own outputs
        Assert.Contains(new AnalyzerOptions { AgeGenderHead = "heads/x.txt" }.Validate(), e => e.Contains("Analysis:AgeGenderHead"));
    }
}
