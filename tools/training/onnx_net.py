"""An ONNX graph of FaceAge's converted models as a trainable PyTorch module.

FaceAge converts faceres-deep (and the other TF.js models) to ONNX with its own C# converter; this module runs such
a graph in PyTorch with every weight tensor (convolution kernels and biases, the folded batch-norm scales and shifts,
dense layers) as a trainable parameter, so the whole backbone can be fine-tuned, and writes the trained weights back
into the same graph (same node and initializer names), which the C# runtime, its int8 quantizer and its tests already
know. Only the operators FaceAge's converter emits for these models are supported; anything else is an error naming it.
"""
import math

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class OnnxNet(torch.nn.Module):
    """Runs the graph of `path`; forward(x) returns a dict of every named value asked for in `outputs`."""

    def __init__(self, path):
        super().__init__()
        self.model = onnx.load(path)
        graph = self.model.graph
        self.input_name = graph.input[0].name
        self.nodes = list(graph.node)
        self.names = {}
        self.params = torch.nn.ParameterDict()
        self.consts = {}
        for init in graph.initializer:
            value = torch.from_numpy(numpy_helper.to_array(init).copy())
            key = "p%d" % len(self.names)
            self.names[init.name] = key
            # Weights train; single numbers (clip bounds, shapes, axes) and integer tensors stay constants.
            if value.dtype == torch.float32 and value.numel() > 1:
                self.params[key] = torch.nn.Parameter(value)
            else:
                self.consts[init.name] = value
        known = {"Transpose", "Conv", "Add", "Sub", "Mul", "Div", "Relu", "Min", "Max", "Clip", "ReduceMean", "Gemm", "MatMul",
                 "Sigmoid", "Softmax", "Identity", "Reshape", "Flatten", "GlobalAveragePool"}
        unknown = sorted({n.op_type for n in self.nodes} - known)
        if unknown:
            raise ValueError("%s: operators not supported by onnx_net.py: %s" % (path, ", ".join(unknown)))

    def value(self, name, env):
        if name in env:
            return env[name]
        if name in self.names and self.names[name] in self.params:
            return self.params[self.names[name]]
        if name in self.consts:
            return self.consts[name]
        raise KeyError("value '%s' is not computed before it is used" % name)

    def forward(self, x, outputs):
        env = {self.input_name: x}
        wanted = set(outputs)
        for node in self.nodes:
            ins = [self.value(i, env) if i else None for i in node.input]
            a = _attrs(node)
            op = node.op_type
            if op == "Transpose":
                y = ins[0].permute(*a["perm"])
            elif op == "Conv":
                y = _conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
            elif op == "Add":
                y = ins[0] + ins[1]
            elif op == "Sub":
                y = ins[0] - ins[1]
            elif op == "Mul":
                y = ins[0] * ins[1]
            elif op == "Div":
                y = ins[0] / ins[1]
            elif op == "Relu":
                y = F.relu(ins[0])
            elif op == "Min":
                y = torch.clamp(ins[0], max=float(ins[1])) if ins[1].numel() == 1 and not ins[1].requires_grad else torch.minimum(ins[0], ins[1].to(ins[0].dtype))
            elif op == "Max":
                y = torch.clamp(ins[0], min=float(ins[1])) if ins[1].numel() == 1 and not ins[1].requires_grad else torch.maximum(ins[0], ins[1].to(ins[0].dtype))
            elif op == "Clip":
                y = torch.clamp(ins[0], float(ins[1]) if ins[1] is not None else None, float(ins[2]) if len(ins) > 2 and ins[2] is not None else None)
            elif op == "ReduceMean":
                y = ins[0].mean(dim=tuple(a["axes"]), keepdim=bool(a.get("keepdims", 1)))
            elif op == "GlobalAveragePool":
                y = ins[0].mean(dim=(2, 3), keepdim=True)
            elif op == "Gemm":
                m = ins[0].t() if a.get("transA", 0) else ins[0]
                w = ins[1].t() if a.get("transB", 0) else ins[1]
                y = a.get("alpha", 1.0) * (m @ w)
                if len(ins) > 2 and ins[2] is not None:
                    y = y + a.get("beta", 1.0) * ins[2]
            elif op == "MatMul":
                y = ins[0] @ ins[1]
            elif op == "Sigmoid":
                y = torch.sigmoid(ins[0])
            elif op == "Softmax":
                y = torch.softmax(ins[0], dim=a.get("axis", -1))
            elif op == "Identity":
                y = ins[0]
            elif op == "Reshape":
                y = ins[0].reshape([int(d) if d != 0 else ins[0].shape[i] for i, d in enumerate(ins[1].tolist())])
            elif op == "Flatten":
                axis = a.get("axis", 1)
                y = ins[0].reshape(int(np.prod(ins[0].shape[:axis])), -1)
            env[node.output[0]] = y
            if wanted.issubset(env.keys()):
                break
        return {name: env[name] for name in outputs}

    def export(self, path, input_size=None, metadata=None):
        """Writes the graph with the trained weights (and, if given, a new square input size) to `path`."""
        model = onnx.ModelProto()
        model.CopyFrom(self.model)
        by_name = {}
        for name, key in self.names.items():
            if key in self.params:
                by_name[name] = self.params[key].detach().cpu().numpy().astype(np.float32)
        for i, init in enumerate(model.graph.initializer):
            if init.name in by_name:
                model.graph.initializer[i].CopyFrom(numpy_helper.from_array(by_name[init.name], init.name))
        if input_size is not None:
            dims = model.graph.input[0].type.tensor_type.shape.dim
            dims[1].dim_value = input_size
            dims[2].dim_value = input_size
        for key, value in (metadata or {}).items():
            entry = next((p for p in model.metadata_props if p.key == key), None) or model.metadata_props.add()
            entry.key, entry.value = key, value
        onnx.save(model, path)


def _conv(x, w, b, a):
    stride = tuple(a.get("strides", [1, 1]))
    dilation = tuple(a.get("dilations", [1, 1]))
    groups = a.get("group", 1)
    kernel = w.shape[2:]
    pad = a.get("auto_pad", b"NOTSET")
    pad = pad.decode() if isinstance(pad, bytes) else pad
    if pad in ("SAME_UPPER", "SAME_LOWER"):
        pads = []
        for dim, (k, s, d) in enumerate(zip(kernel, stride, dilation)):
            size = x.shape[2 + dim]
            out = math.ceil(size / s)
            total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
            before = total // 2 if pad == "SAME_UPPER" else total - total // 2
            pads.append((before, total - before))
        # F.pad takes the last dimension first.
        x = F.pad(x, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
        padding = 0
    else:
        p = a.get("pads", [0, 0, 0, 0])
        if p[0] != p[2] or p[1] != p[3]:
            x = F.pad(x, (p[1], p[3], p[0], p[2]))
            padding = 0
        else:
            padding = (p[0], p[1])
    return F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
