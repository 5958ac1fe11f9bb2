using FaceAge.Core.Inference;
using FaceAge.Core.ModelFiles;
using FaceAge.Testing;
using Microsoft.Extensions.Logging;

namespace FaceAge.Core.Tests.Inference;

public class OnnxSessionFactoryTests
{
    private sealed class CapturingLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Lines.Add((logLevel, formatter(state, exception)));
    }

    [Theory]
    [InlineData("Cuda")]
    [InlineData("DirectML")]
    [InlineData("OpenVINO")]
    public void Unavailable_provider_falls_back_to_cpu_with_a_warning(string requested)
    {
        var logger = new CapturingLogger();
        var factory = new OnnxSessionFactory(new InferenceOptions { ExecutionProvider = requested }, logger);
        using var session = factory.Create(RepoPaths.Model("ultraface-rfb-320.onnx"));
        Assert.Equal(ExecutionProviders.Cpu, factory.Provider);
        var warning = Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains(requested, warning.Message);
        Assert.Contains("CPU", warning.Message);
    }

    [Fact]
    public void Unknown_provider_is_refused_naming_the_key_and_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => new OnnxSessionFactory(new InferenceOptions { ExecutionProvider = "Metal" }));
        Assert.Contains("Inference:ExecutionProvider 'Metal'", e.Message);
        Assert.Contains("Cpu, Cuda", e.Message);
    }

    [Fact]
    public void Missing_model_error_names_the_file_and_the_setup_command()
    {
        var e = Assert.Throws<ModelMissingException>(() => new OnnxSessionFactory(new InferenceOptions()).Create("/nowhere/model.onnx"));
        Assert.Contains("/nowhere/model.onnx", e.Message);
        Assert.Contains("models setup", e.Message);
    }

    [Fact]
    public void Corrupt_model_error_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), "faceage-corrupt.onnx");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
        var e = Assert.Throws<InvalidDataException>(() => new OnnxSessionFactory(new InferenceOptions()).Create(path));
        Assert.Contains(path, e.Message);
    }
}
