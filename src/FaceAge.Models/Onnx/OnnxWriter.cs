using Google.Protobuf;

namespace FaceAge.Models.Onnx;

/// <summary>
/// Serializes <see cref="OnnxModel"/> to the ONNX protobuf wire format. Only the subset of onnx.proto
/// that FaceAge produces is written; field numbers follow onnx.proto (IR version 8).
/// </summary>
public static class OnnxWriter
{
    // onnx.proto field numbers
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelDocString = 6, ModelGraph = 7, ModelOpsetImport = 8,
        ModelMetadataProps = 14;
    private const int OpsetDomain = 1, OpsetVersion = 2;
    private const int StringEntryKey = 1, StringEntryValue = 2;
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttrName = 1, AttrF = 2, AttrI = 3, AttrS = 4, AttrT = 5, AttrFloats = 7, AttrInts = 8, AttrType = 20;
    private const int AttrTypeFloat = 1, AttrTypeInt = 2, AttrTypeString = 3, AttrTypeTensor = 4, AttrTypeFloats = 6, AttrTypeInts = 7;
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    private const int ValueInfoName = 1, ValueInfoType = 2;
    private const int TypeTensorType = 1, TensorTypeElemType = 1, TensorTypeShape = 2;
    private const int ShapeDim = 1, DimValue = 1, DimParam = 2;

    public static byte[] ToBytes(OnnxModel model)
    {
        using var buffer = new MemoryStream();
        Write(model, buffer);
        return buffer.ToArray();
    }

    public static void WriteFile(OnnxModel model, string path)
    {
        var tmp = path + ".tmp";
        using (var file = File.Create(tmp)) Write(model, file);
        File.Move(tmp, path, overwrite: true);
    }

    public static void Write(OnnxModel model, Stream stream)
    {
        var output = new CodedOutputStream(stream, leaveOpen: true);
        WriteInt64(output, ModelIrVersion, OnnxModel.IrVersion);
        WriteString(output, ModelProducerName, model.ProducerName);
        WriteString(output, ModelProducerVersion, model.ProducerVersion);
        if (model.DocString.Length > 0) WriteString(output, ModelDocString, model.DocString);
        WriteMessage(output, ModelGraph, o => WriteGraph(o, model.Graph));
        WriteMessage(output, ModelOpsetImport, o =>
        {
            WriteString(o, OpsetDomain, "");
            WriteInt64(o, OpsetVersion, model.Opset);
        });
        foreach (var (key, value) in model.Metadata)
            WriteMessage(output, ModelMetadataProps, o =>
            {
                WriteString(o, StringEntryKey, key);
                WriteString(o, StringEntryValue, value);
            });
        output.Flush();
    }

    private static void WriteGraph(CodedOutputStream o, OnnxGraph graph)
    {
        foreach (var node in graph.Nodes) WriteMessage(o, GraphNode, n => WriteNode(n, node));
        WriteString(o, GraphName, graph.Name);
        foreach (var tensor in graph.Initializers) WriteMessage(o, GraphInitializer, t => WriteTensor(t, tensor));
        foreach (var input in graph.Inputs) WriteMessage(o, GraphInput, v => WriteValueInfo(v, input));
        foreach (var output in graph.Outputs) WriteMessage(o, GraphOutput, v => WriteValueInfo(v, output));
    }

    private static void WriteNode(CodedOutputStream o, OnnxNode node)
    {
        foreach (var input in node.Inputs) WriteString(o, NodeInput, input);
        foreach (var output in node.Outputs) WriteString(o, NodeOutput, output);
        WriteString(o, NodeName, node.Name);
        WriteString(o, NodeOpType, node.OpType);
        foreach (var attribute in node.Attributes) WriteMessage(o, NodeAttribute, a => WriteAttribute(a, attribute));
    }

    private static void WriteAttribute(CodedOutputStream o, OnnxAttribute a)
    {
        WriteString(o, AttrName, a.Name);
        if (a.Float is { } f)
        {
            o.WriteTag(AttrF, WireFormat.WireType.Fixed32);
            o.WriteFloat(f);
            WriteInt64(o, AttrType, AttrTypeFloat);
        }
        else if (a.Int is { } i)
        {
            WriteInt64(o, AttrI, i);
            WriteInt64(o, AttrType, AttrTypeInt);
        }
        else if (a.String is { } s)
        {
            WriteString(o, AttrS, s);
            WriteInt64(o, AttrType, AttrTypeString);
        }
        else if (a.Tensor is { } t)
        {
            WriteMessage(o, AttrT, m => WriteTensor(m, t));
            WriteInt64(o, AttrType, AttrTypeTensor);
        }
        else if (a.Floats is { } fs)
        {
            foreach (var v in fs)
            {
                o.WriteTag(AttrFloats, WireFormat.WireType.Fixed32);
                o.WriteFloat(v);
            }
            WriteInt64(o, AttrType, AttrTypeFloats);
        }
        else if (a.Ints is { } ints)
        {
            foreach (var v in ints) WriteInt64(o, AttrInts, v);
            WriteInt64(o, AttrType, AttrTypeInts);
        }
        else throw new InvalidOperationException($"Attribute '{a.Name}' has no value.");
    }

    private static void WriteTensor(CodedOutputStream o, OnnxTensor t)
    {
        foreach (var d in t.Dims) WriteInt64(o, TensorDims, d);
        WriteInt64(o, TensorDataType, (long)t.DataType);
        WriteString(o, TensorName, t.Name);
        o.WriteTag(TensorRawData, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(t.RawData));
    }

    private static void WriteValueInfo(CodedOutputStream o, OnnxValueInfo info)
    {
        WriteString(o, ValueInfoName, info.Name);
        WriteMessage(o, ValueInfoType, type => WriteMessage(type, TypeTensorType, tensorType =>
        {
            WriteInt64(tensorType, TensorTypeElemType, (long)info.ElementType);
            if (info.Shape is not { } dims) return;
            WriteMessage(tensorType, TensorTypeShape, shape =>
            {
                for (int i = 0; i < dims.Count; i++)
                {
                    var dim = dims[i];
                    WriteMessage(shape, ShapeDim, d =>
                    {
                        if (dim is { } value && value >= 0) WriteInt64(d, DimValue, value);
                        else WriteString(d, DimParam, i == 0 && info.SymbolicBatchName is { } b ? b : $"{info.Name}_d{i}");
                    });
                }
            });
        }));
    }

    private static void WriteInt64(CodedOutputStream o, int field, long value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }

    private static void WriteString(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    // Length-delimited sub-message: serialize into a scratch buffer first to learn its length.
    private static void WriteMessage(CodedOutputStream o, int field, Action<CodedOutputStream> body)
    {
        using var scratch = new MemoryStream();
        var inner = new CodedOutputStream(scratch, leaveOpen: true);
        body(inner);
        inner.Flush();
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(scratch.GetBuffer(), 0, (int)scratch.Length));
    }
}
