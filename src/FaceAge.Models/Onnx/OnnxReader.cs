using Google.Protobuf;

namespace FaceAge.Models.Onnx;

/// <summary>
/// Reads an ONNX file into <see cref="OnnxModel"/>: the subset of onnx.proto that <see cref="OnnxWriter"/> writes
/// (default-domain nodes, attributes with scalar, list or tensor values, tensors with inline data). Used to adapt
/// third-party ONNX detectors at set-up; anything outside the subset (functions, sub-graphs, external data, other
/// operator domains) is an error naming the file, not silently dropped.
/// </summary>
public static class OnnxReader
{
    // onnx.proto field numbers
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelDocString = 6, ModelGraph = 7, ModelOpsetImport = 8,
        ModelMetadataProps = 14;
    private const int OpsetDomain = 1, OpsetVersion = 2;
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphDocString = 10, GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5, NodeDocString = 6, NodeDomain = 7;
    private const int AttrName = 1, AttrF = 2, AttrI = 3, AttrS = 4, AttrT = 5, AttrFloats = 7, AttrInts = 8, AttrDocString = 13, AttrType = 20;
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorInt32Data = 5, TensorInt64Data = 7, TensorName = 8, TensorRawData = 9,
        TensorDocString = 12;
    private const int ValueInfoName = 1, ValueInfoType = 2, ValueInfoDocString = 3;
    private const int TypeTensorType = 1, TensorTypeElemType = 1, TensorTypeShape = 2;
    private const int ShapeDim = 1, DimValue = 1;

    public static OnnxModel ReadFile(string path)
    {
        try
        {
            return Read(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    public static OnnxModel Read(byte[] bytes)
    {
        var input = new CodedInputStream(bytes);
        OnnxGraph? graph = null;
        long opset = 0;
        string producer = "", producerVersion = "", doc = "";
        var metadata = new List<(string, string)>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case ModelIrVersion: input.ReadInt64(); break; // written again as OnnxModel.IrVersion
                case ModelProducerName: producer = input.ReadString(); break;
                case ModelProducerVersion: producerVersion = input.ReadString(); break;
                case ModelDocString: doc = input.ReadString(); break;
                case ModelGraph: graph = ReadGraph(Sub(input)); break;
                case ModelOpsetImport:
                {
                    var (domain, version) = ReadOpset(Sub(input));
                    if (domain is not ("" or "ai.onnx")) throw new InvalidDataException($"operator set '{domain}' is not supported (only the default one).");
                    opset = version;
                    break;
                }
                case ModelMetadataProps: metadata.Add(ReadStringPair(Sub(input))); break;
                default: input.SkipLastField(); break; // model-level extras (domain, version, training info) do not change inference
            }
        }
        if (graph is null) throw new InvalidDataException("the model has no graph.");
        if (opset == 0) throw new InvalidDataException("the model imports no default operator set.");
        var model = new OnnxModel { Graph = graph, Opset = opset, ProducerName = producer, ProducerVersion = producerVersion, DocString = doc };
        foreach (var (key, value) in metadata) model.Metadata[key] = value;
        return model;
    }

    private static CodedInputStream Sub(CodedInputStream input) => new(input.ReadBytes().ToByteArray());

    private static (string Domain, long Version) ReadOpset(CodedInputStream input)
    {
        string domain = "";
        long version = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case OpsetDomain: domain = input.ReadString(); break;
                case OpsetVersion: version = input.ReadInt64(); break;
                default: input.SkipLastField(); break;
            }
        return (domain, version);
    }

    private static (string, string) ReadStringPair(CodedInputStream input)
    {
        string key = "", value = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: key = input.ReadString(); break;
                case 2: value = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        return (key, value);
    }

    private static OnnxGraph ReadGraph(CodedInputStream input)
    {
        var graph = new OnnxGraph();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case GraphNode: graph.Nodes.Add(ReadNode(Sub(input))); break;
                case GraphName: graph.Name = input.ReadString(); break;
                case GraphInitializer: graph.Initializers.Add(ReadTensor(Sub(input))); break;
                case GraphInput: graph.Inputs.Add(ReadValueInfo(Sub(input))); break;
                case GraphOutput: graph.Outputs.Add(ReadValueInfo(Sub(input))); break;
                case GraphDocString or GraphValueInfo: input.SkipLastField(); break; // inferred again by the runtime
                default: throw new InvalidDataException($"graph field {WireFormat.GetTagFieldNumber(tag)} (sparse initializers, quantization annotations) "
                    + "is not supported.");
            }
        // Initializers listed as graph inputs too (older exporters) stay initializers only.
        var constants = graph.Initializers.Select(t => t.Name).ToHashSet();
        graph.Inputs.RemoveAll(i => constants.Contains(i.Name));
        return graph;
    }

    private static OnnxNode ReadNode(CodedInputStream input)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new List<OnnxAttribute>();
        string name = "", opType = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case NodeInput: inputs.Add(input.ReadString()); break;
                case NodeOutput: outputs.Add(input.ReadString()); break;
                case NodeName: name = input.ReadString(); break;
                case NodeOpType: opType = input.ReadString(); break;
                case NodeAttribute: attributes.Add(ReadAttribute(Sub(input))); break;
                case NodeDocString: input.SkipLastField(); break;
                case NodeDomain:
                {
                    var domain = input.ReadString();
                    if (domain is not ("" or "ai.onnx")) throw new InvalidDataException($"node '{name}' ({opType}) is in domain '{domain}', which is not "
                        + "supported.");
                    break;
                }
                default: throw new InvalidDataException($"node field {WireFormat.GetTagFieldNumber(tag)} is not supported.");
            }
        return new OnnxNode(opType, name, inputs, outputs, attributes);
    }

    private static OnnxAttribute ReadAttribute(CodedInputStream input)
    {
        string name = "";
        float? f = null;
        long? i = null;
        string? s = null;
        OnnxTensor? t = null;
        List<float>? floats = null;
        List<long>? ints = null;
        long type = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case AttrName: name = input.ReadString(); break;
                case AttrF: f = input.ReadFloat(); break;
                case AttrI: i = input.ReadInt64(); break;
                case AttrS: s = input.ReadBytes().ToStringUtf8(); break;
                case AttrT: t = ReadTensor(Sub(input)); break;
                case AttrFloats: ReadRepeated(input, tag, floats ??= [], static c => c.ReadFloat()); break;
                case AttrInts: ReadRepeated(input, tag, ints ??= [], static c => c.ReadInt64()); break;
                case AttrDocString: input.SkipLastField(); break;
                case AttrType: type = input.ReadInt64(); break;
                default: throw new InvalidDataException($"attribute '{name}': field {WireFormat.GetTagFieldNumber(tag)} (graphs, sparse tensors, strings "
                    + "lists) is not supported.");
            }
        // An empty list is encoded as no values, so the declared type tells an empty list from a missing value.
        return type switch
        {
            1 => OnnxAttribute.Of(name, f ?? 0f),
            2 => OnnxAttribute.Of(name, i ?? 0L),
            3 => OnnxAttribute.Of(name, s ?? ""),
            4 => new OnnxAttribute { Name = name, Tensor = t ?? throw new InvalidDataException($"attribute '{name}' declares a tensor and has none.") },
            6 => OnnxAttribute.Of(name, (floats ?? []).ToArray()),
            7 => OnnxAttribute.Of(name, (ints ?? []).ToArray()),
            _ => throw new InvalidDataException($"attribute '{name}' has type {type}, which is not supported."),
        };
    }

    private static OnnxTensor ReadTensor(CodedInputStream input)
    {
        var dims = new List<long>();
        var floats = new List<float>();
        var int32s = new List<int>();
        var int64s = new List<long>();
        byte[]? raw = null;
        string name = "";
        var type = (OnnxDataType)0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case TensorDims: ReadRepeated(input, tag, dims, static c => c.ReadInt64()); break;
                case TensorDataType: type = (OnnxDataType)input.ReadInt32(); break;
                case TensorFloatData: ReadRepeated(input, tag, floats, static c => c.ReadFloat()); break;
                case TensorInt32Data: ReadRepeated(input, tag, int32s, static c => c.ReadInt32()); break;
                case TensorInt64Data: ReadRepeated(input, tag, int64s, static c => c.ReadInt64()); break;
                case TensorName: name = input.ReadString(); break;
                case TensorRawData: raw = input.ReadBytes().ToByteArray(); break;
                case TensorDocString: input.SkipLastField(); break;
                default: throw new InvalidDataException($"tensor '{name}': field {WireFormat.GetTagFieldNumber(tag)} (external data, strings, segments) is "
                    + "not supported.");
            }
        if (!Enum.IsDefined(type)) throw new InvalidDataException($"tensor '{name}' has element type {(int)type}, which is not supported.");
        var shape = dims.ToArray();
        if (raw is not null)
        {
            long count = shape.Aggregate(1L, (a, d) => a * d);
            if (raw.Length != count * ElementSize(type)) throw new InvalidDataException($"tensor '{name}': {raw.Length} bytes of data for shape "
                + $"[{string.Join(',', shape)}].");
            return new OnnxTensor(name, type, shape, raw);
        }
        return type switch
        {
            OnnxDataType.Float => OnnxTensor.FromFloats(name, shape, floats.ToArray()),
            OnnxDataType.Int64 => OnnxTensor.FromInt64s(name, shape, int64s.ToArray()),
            OnnxDataType.Int32 => OnnxTensor.FromInt32s(name, shape, int32s.ToArray()),
            _ => throw new InvalidDataException($"tensor '{name}' of {type} without raw data is not supported."),
        };
    }

    private static int ElementSize(OnnxDataType type) => type switch
    {
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool => 1,
        OnnxDataType.Float16 => 2,
        OnnxDataType.Float or OnnxDataType.Int32 => 4,
        _ => 8,
    };

    private static OnnxValueInfo ReadValueInfo(CodedInputStream input)
    {
        string name = "";
        var type = OnnxDataType.Float;
        List<long?>? shape = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case ValueInfoName: name = input.ReadString(); break;
                case ValueInfoType: (type, shape) = ReadTensorType(Sub(input), name); break;
                case ValueInfoDocString: input.SkipLastField(); break;
                default: input.SkipLastField(); break;
            }
        // Symbolic dimensions are written back under names of the writer's own (the first one "batch").
        return new OnnxValueInfo(name, type, shape, shape is [null, ..] ? "batch" : null);
    }

    private static (OnnxDataType, List<long?>?) ReadTensorType(CodedInputStream input, string name)
    {
        var type = OnnxDataType.Float;
        List<long?>? shape = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != TypeTensorType) throw new InvalidDataException($"value '{name}' is not a tensor.");
            var tensorType = Sub(input);
            uint inner;
            while ((inner = tensorType.ReadTag()) != 0)
                switch (WireFormat.GetTagFieldNumber(inner))
                {
                    case TensorTypeElemType: type = (OnnxDataType)tensorType.ReadInt32(); break;
                    case TensorTypeShape: shape = ReadShape(Sub(tensorType)); break;
                    default: tensorType.SkipLastField(); break;
                }
        }
        return (type, shape);
    }

    private static List<long?> ReadShape(CodedInputStream input)
    {
        var dims = new List<long?>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != ShapeDim) { input.SkipLastField(); continue; }
            var dim = Sub(input);
            long? value = null;
            uint inner;
            while ((inner = dim.ReadTag()) != 0)
                if (WireFormat.GetTagFieldNumber(inner) == DimValue) value = dim.ReadInt64();
                else dim.SkipLastField();
            dims.Add(value);
        }
        return dims;
    }

    /// <summary>A repeated scalar field, packed (one length-delimited run) or not (one value per tag).</summary>
    private static void ReadRepeated<T>(CodedInputStream input, uint tag, List<T> into, Func<CodedInputStream, T> read)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
        {
            into.Add(read(input));
            return;
        }
        var packed = Sub(input);
        while (!packed.IsAtEnd) into.Add(read(packed));
    }
}
