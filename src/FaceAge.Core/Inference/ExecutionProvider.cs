namespace FaceAge.Core.Inference;

/// <summary>Which ONNX Runtime execution provider a model session asks for.</summary>
public enum ExecutionProvider
{
    Cpu,
    DirectML,
    Cuda,
    OpenVINO,
}
