#!/usr/bin/python3
"""Writes the ONNX fixtures of javelin-onnx's tests (the tests need no Python):

  onnx/src/test/resources/dev/javelin/onnx/models/<name>.onnx      small models exported by torch.onnx.export
  onnx/src/test/resources/dev/javelin/onnx/ops/<case>.onnx         single-node models built with onnx.helper
  ... and beside each, <name>.io.pb: the test data, a serialized onnx.GraphProto whose initializers are
  the inputs (named "input:<graph input name>") and the expected outputs ("output:<graph output name>").

Expected outputs of the models are PyTorch's (eval mode); those of the single-node cases are computed
with PyTorch or NumPy from ONNX's operator definitions (broadcasting, negative axes, attribute defaults).

Run from the repository root with Debian's packages (apt install python3-torch python3-torchvision
python3-onnx):
    /usr/bin/python3 test-support/src/test/python/make_onnx_fixtures.py
    /usr/bin/python3 test-support/src/test/python/make_onnx_fixtures.py --large DIR   # ResNet-18/50, MobileNetV2 (not committed)
    /usr/bin/python3 test-support/src/test/python/make_onnx_fixtures.py --recurrent   # only LSTM/GRU/RNN (onnx_recurrent_fixtures.py)
Seeded, so reruns give the same values (torch.onnx.export may still vary node names between versions).
"""
import io
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

from onnx_recurrent_fixtures import recurrent_cases, recurrent_models

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
BASE = os.path.join(ROOT, "onnx", "src", "test", "resources", "dev", "javelin", "onnx")


def write_io(path, inputs, outputs):
    """inputs, outputs: lists of (name, numpy array)."""
    g = onnx.GraphProto()
    g.name = "test_data"
    for name, a in inputs:
        g.initializer.append(numpy_helper.from_array(np.asarray(a), "input:" + name))
    for name, a in outputs:
        g.initializer.append(numpy_helper.from_array(np.asarray(a), "output:" + name))
    with open(path, "wb") as f:
        f.write(g.SerializeToString())


# ---- models ------------------------------------------------------------------------------------

def export(name, model, args, input_names, output_names, dynamic_axes, opset, fold=True, more=()):
    """fold=False keeps BatchNormalization nodes (torch fuses them into the convolutions in EVAL mode).
    more: (suffix, args) pairs of further test data, written to <name>.<suffix>.io.pb (other sizes of the
    symbolic dimensions)."""
    model.eval()
    path = os.path.join(BASE, "models", name + ".onnx")
    # Exported with gradients enabled: under no_grad, MultiheadAttention takes its fused fast path,
    # which torch 1.13 cannot export.
    torch.onnx.export(model, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=opset, do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL if fold else torch.onnx.TrainingMode.PRESERVE)
    for suffix, data in [("", args)] + list(more):
        with torch.no_grad():
            outs = model(*data)
        if not isinstance(outs, tuple):
            outs = (outs,)
        write_io(os.path.join(BASE, "models", name + suffix + ".io.pb"),
                 [(n, a.numpy()) for n, a in zip(input_names, data)],
                 [(n, o.numpy()) for n, o in zip(output_names, outs)])
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    print("%-12s opset %d, %6d bytes: %s" % (name, opset, os.path.getsize(path), " ".join(ops)))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(20, 32), nn.Linear(32, 16), nn.Linear(16, 5)

    def forward(self, x):
        return F.softmax(self.fc3(torch.tanh(self.fc2(F.relu(self.fc1(x))))), dim=-1)


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8)
        self.c2, self.b2 = nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16)
        self.c3 = nn.Conv2d(16, 16, 3, padding=1, groups=4)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.b1(self.c1(x))), 2)
        x = F.relu(self.b2(self.c2(x)))
        x = F.avg_pool2d(F.relu(self.c3(x)) + x, 3, stride=1, padding=1)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class Block(nn.Module):
    """A pre- or post-LN transformer block with PyTorch's MultiheadAttention, as users write them."""

    def __init__(self, d, heads, ff, pre_ln):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True, dropout=0.0)
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.ff1, self.ff2 = nn.Linear(d, ff), nn.Linear(ff, d)
        self.pre_ln = pre_ln

    def forward(self, x, mask=None):
        if self.pre_ln:
            h = self.ln1(x)
            x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
            return x + self.ff2(F.gelu(self.ff1(self.ln2(x))))
        x = self.ln1(x + self.attn(x, x, x, attn_mask=mask, need_weights=False)[0])
        return self.ln2(x + self.ff2(F.gelu(self.ff1(x))))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block(32, 4, 64, pre_ln=False) for _ in range(2)])
        self.head = nn.Linear(32, 3)

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return self.head(x.mean(dim=1))


class Decoder(nn.Module):
    """A tiny GPT: token and position embeddings, causal self-attention built from the input's length."""

    def __init__(self):
        super().__init__()
        self.tok, self.pos = nn.Embedding(50, 32), nn.Embedding(16, 32)
        self.blocks = nn.ModuleList([Block(32, 4, 64, pre_ln=True) for _ in range(2)])
        self.ln, self.head = nn.LayerNorm(32), nn.Linear(32, 50)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.tok(ids) + self.pos(torch.arange(t, device=ids.device)).unsqueeze(0)
        mask = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        for b in self.blocks:
            x = b(x, mask)
        return F.log_softmax(self.head(self.ln(x)), dim=-1)


class SmallEncoder(nn.Module):
    """One post-LN block per token sequence of any length: [B, T, 16] -> [B, T, 16]."""

    def __init__(self):
        super().__init__()
        self.block = Block(16, 2, 32, pre_ln=False)

    def forward(self, x):
        return self.block(x)


class TorchEncoder(nn.Module):
    """PyTorch's own nn.TransformerEncoder with a key padding mask: the export writes Equal, Where, Expand."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True, activation="gelu")
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)

    def forward(self, x, pad_mask):
        return self.encoder(x, src_key_padding_mask=pad_mask)


class TorchEncoderNoMask(nn.Module):
    """nn.TransformerEncoder (norm_first, relu) without a mask at opset 17: toModel maps its attention onto MultiHeadAttention."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(24, 3, 48, dropout=0.0, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)

    def forward(self, x):
        return self.encoder(x)


class SequenceFirstAttention(nn.Module):
    """nn.MultiheadAttention with batch_first=False, [T, B, E] in and out: the export has no Transpose around it."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(16, 4, dropout=0.0)
        self.ln = nn.LayerNorm(16)

    def forward(self, x):
        return self.ln(x + self.attn(x, x, x, need_weights=False)[0])


def randomize_norms(m):
    """Untrained norms are ones and zeros; random values make the tests see every parameter."""
    for mod in m.modules():
        if isinstance(mod, nn.LayerNorm):
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.5, 0.5)
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.5, 0.5)
            mod.running_var.uniform_(0.5, 2.0)
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.5, 0.5)
    return m


def models():
    os.makedirs(os.path.join(BASE, "models"), exist_ok=True)
    torch.manual_seed(16)
    export("mlp", Mlp(), (torch.randn(3, 20),), ["input"], ["probs"], {"input": {0: "batch_size"}, "probs": {0: "batch_size"}}, 13)
    torch.manual_seed(17)
    export("convnet", randomize_norms(ConvNet()), (torch.randn(2, 3, 16, 16),), ["image"], ["logits"],
           {"image": {0: "batch_size"}, "logits": {0: "batch_size"}}, 15, fold=False)  # PRESERVE (in eval mode) keeps BatchNormalization unfused
    torch.manual_seed(18)
    export("encoder", randomize_norms(Encoder()), (torch.randn(2, 10, 32),), ["tokens"], ["scores"],
           {"tokens": {0: "batch_size"}, "scores": {0: "batch_size"}}, 14)
    torch.manual_seed(20)
    pad_mask = torch.tensor([[False] * 7, [False] * 5 + [True] * 2])
    export("torch_encoder", randomize_norms(TorchEncoder()), (torch.randn(2, 7, 32), pad_mask), ["x", "pad_mask"], ["y"],
           {"x": {0: "batch_size"}, "pad_mask": {0: "batch_size"}, "y": {0: "batch_size"}}, 16)
    torch.manual_seed(19)
    export("decoder", randomize_norms(Decoder()), (torch.randint(0, 50, (2, 12)),), ["ids"], ["log_probs"],
           {"ids": {0: "batch_size", 1: "sequence"}, "log_probs": {0: "batch_size", 1: "sequence"}}, 17,
           more=[(".len%d" % t, (torch.randint(0, 50, (3, t)),)) for t in (1, 5, 16)])
    torch.manual_seed(21)  # a symbolic sequence length (dim 1) besides the batch, in a post-LN encoder at opset 14
    export("encoder_seq", randomize_norms(SmallEncoder()), (torch.randn(2, 6, 16),), ["tokens"], ["features"],
           {"tokens": {0: "batch_size", 1: "seq"}, "features": {0: "batch_size", 1: "seq"}}, 14,
           more=[(".len%d" % t, (torch.randn(3, t, 16),)) for t in (1, 4, 9)])
    torch.manual_seed(22)
    export("torch_encoder_nomask", randomize_norms(TorchEncoderNoMask()), (torch.randn(2, 5, 24),), ["x"], ["y"],
           {"x": {0: "batch_size", 1: "seq"}, "y": {0: "batch_size", 1: "seq"}}, 17)
    torch.manual_seed(23)
    export("attention_seq_first", randomize_norms(SequenceFirstAttention()), (torch.randn(6, 2, 16),), ["x"], ["y"],
           {"x": {0: "seq", 1: "batch_size"}, "y": {0: "seq", 1: "batch_size"}}, 17)
    recurrent_models(export)




# ---- single-node cases ---------------------------------------------------------------------------

ONNX_TYPES = {np.dtype("float32"): TensorProto.FLOAT, np.dtype("float64"): TensorProto.DOUBLE,
              np.dtype("int64"): TensorProto.INT64, np.dtype("int32"): TensorProto.INT32, np.dtype("bool"): TensorProto.BOOL}
rng = np.random.default_rng(1616)
cases = []


def f32(*shape, lo=-2.0, hi=2.0):
    """Uniform float32, rounded to 3 decimals (exact in float32 text and binary alike)."""
    return np.round(rng.uniform(lo, hi, size=shape), 3).astype(np.float32)


def const(a):
    """Marks an input as an initializer (a constant the node reads as numbers: shapes, axes, pads)."""
    return ("const", np.asarray(a))


def case(name, op, inputs, outputs, opset=17, standard=True, **attrs):
    """inputs: list of arrays, const(array), or None for an omitted optional input; outputs: expected arrays.
    standard=False marks a node that opset 17 does not define but Javelin accepts (a later opset's
    operator or input form); the others pass onnx.checker."""
    names, graph_inputs, inits, feeds = [], [], [], []
    for i, a in enumerate(inputs):
        if a is None:
            names.append("")
            continue
        n = "x%d" % i
        names.append(n)
        if isinstance(a, tuple) and a[0] == "const":
            inits.append(numpy_helper.from_array(a[1], n))
        else:
            a = np.asarray(a)
            graph_inputs.append(helper.make_tensor_value_info(n, ONNX_TYPES[a.dtype], list(a.shape)))
            feeds.append((n, a))
    outs = ["y%d" % i for i in range(len(outputs))]
    node = helper.make_node(op, names, outs, name=name, **attrs)
    graph_outputs = [helper.make_tensor_value_info(n, ONNX_TYPES[np.asarray(o).dtype], list(np.asarray(o).shape))
                     for n, o in zip(outs, outputs)]
    graph = helper.make_graph([node], name, graph_inputs, graph_outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="make_onnx_fixtures")
    if standard:
        onnx.checker.check_model(model, full_check=True)
    cases.append((name, model, feeds, list(zip(outs, outputs))))


def t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def n(x):
    return x.detach().numpy()


def elementwise_cases():
    x = f32(3, 4)
    pos = f32(3, 4, lo=0.1, hi=3.0)
    for op, fn, inp in [("Abs", np.abs, x), ("Neg", np.negative, x), ("Exp", np.exp, x), ("Log", np.log, pos),
                        ("Sqrt", np.sqrt, pos), ("Sin", np.sin, x), ("Cos", np.cos, x), ("Tan", np.tan, x / 2),
                        ("Atan", np.arctan, x), ("Sinh", np.sinh, x), ("Cosh", np.cosh, x), ("Tanh", np.tanh, x),
                        ("Sigmoid", lambda v: n(torch.sigmoid(t(v))), x), ("Relu", lambda v: np.maximum(v, 0), x),
                        ("Reciprocal", np.reciprocal, pos), ("Floor", np.floor, x), ("Ceil", np.ceil, x),
                        ("Sign", np.sign, np.array([[-2.5, 0, 3], [0, -0.0, 1]], np.float32)),
                        ("Erf", lambda v: n(torch.erf(t(v))), x), ("Softplus", lambda v: n(F.softplus(t(v))), x),
                        ("Softsign", lambda v: v / (1 + np.abs(v)), x), ("Identity", lambda v: v, x),
                        ("Round", np.round, np.array([0.5, 1.5, 2.5, -0.5, -1.5, 1.2, -2.7], np.float32))]:
        case(op, op, [inp], [fn(inp).astype(inp.dtype)])
    b = np.array([[True, False], [False, True]])
    case("Not", "Not", [b], [~b])
    special = np.array([1.0, np.nan, np.inf, -np.inf, 0.0], np.float32)
    case("IsNaN", "IsNaN", [special], [np.isnan(special)])
    case("IsInf", "IsInf", [special], [np.isinf(special)])
    case("IsInf_positive_only", "IsInf", [special], [special == np.inf], detect_negative=0)
    case("LeakyRelu_default_alpha", "LeakyRelu", [x], [n(F.leaky_relu(t(x), 0.01))])
    case("LeakyRelu_alpha", "LeakyRelu", [x], [n(F.leaky_relu(t(x), 0.3))], alpha=0.3)
    case("Elu", "Elu", [x], [n(F.elu(t(x)))])
    case("Selu", "Selu", [x], [n(F.selu(t(x)))])
    case("HardSigmoid", "HardSigmoid", [x * 3], [np.clip(0.2 * x * 3 + 0.5, 0, 1).astype(np.float32)])
    case("HardSwish", "HardSwish", [x * 3], [n(F.hardswish(t(x * 3)))])
    slope = f32(4, lo=0.0, hi=0.5)
    case("PRelu_broadcast_slope", "PRelu", [x, slope], [np.where(x < 0, x * slope, x)])
    case("Gelu_erf", "Gelu", [x], [n(F.gelu(t(x)))], standard=False)
    case("Gelu_tanh", "Gelu", [x], [n(F.gelu(t(x), approximate="tanh"))], approximate="tanh", standard=False)

    a, b2 = f32(3, 1, 4), f32(5, 1)
    case("Add_broadcast", "Add", [a, b2], [a + b2])
    c = f32(3)
    m = f32(2, 3)
    case("Sub_broadcast_vector", "Sub", [m, c], [m - c])
    case("Mul_scalar", "Mul", [m, np.array(1.5, np.float32)], [m * np.float32(1.5)])
    d = f32(2, 3, lo=0.5, hi=2)
    case("Div", "Div", [m, d], [m / d])
    ia, ib = np.array([7, -7, 9, -9, 6], np.int64), np.array([2, 2, -4, -4, 3], np.int64)
    case("Div_int64_truncates", "Div", [ia, ib], [np.trunc(ia / ib).astype(np.int64)])
    case("Pow", "Pow", [pos, x], [np.power(pos, x)])
    case("Pow_int_exponent", "Pow", [x, np.array(2, np.int64)], [x * x])
    case("Mod_int", "Mod", [ia, ib], [np.mod(ia, ib)])
    fa, fb = np.array([5.5, -5.5, 4.0, -3.25], np.float32), np.array([2.0, 2.0, -1.5, 1.5], np.float32)
    case("Mod_fmod", "Mod", [fa, fb], [np.fmod(fa, fb)], fmod=1)
    ea, eb = np.array([[1, 2, 3]], np.int64), np.array([[1], [2]], np.int64)
    case("Equal_broadcast", "Equal", [ea, eb], [ea == eb])
    fx, fy = f32(2, 3), f32(3)
    fy[1] = fx[0, 1]
    case("Less", "Less", [fx, fy], [fx < fy])
    case("LessOrEqual", "LessOrEqual", [fx, fy], [fx <= fy])
    case("Greater", "Greater", [fx, fy], [fx > fy])
    case("GreaterOrEqual", "GreaterOrEqual", [fx, fy], [fx >= fy])
    p, q = np.array([[True, True, False, False]]), np.array([[True], [False]])
    case("And", "And", [p, q], [p & q])
    case("Or", "Or", [p, q], [p | q])
    case("Xor", "Xor", [p, q], [p ^ q])
    v1, v2, v3 = f32(3, 1), f32(4), f32(1, 4)
    case("Max_three_broadcast", "Max", [v1, v2, v3], [np.maximum(np.maximum(v1, v2), v3)])
    case("Min", "Min", [v1, v2], [np.minimum(v1, v2)])
    case("Sum_three", "Sum", [v1, v2, v3], [v1 + v2 + v3])
    case("Mean", "Mean", [v1, v2], [((v1 + v2) / 2).astype(np.float32)])
    cond = np.array([[True], [False], [True]])
    wx, wy = f32(1, 4), np.array(-1.0, np.float32)
    case("Where_broadcast", "Where", [cond, wx, wy], [np.where(cond, wx, wy)])
    case("Clip_min_max", "Clip", [x, np.array(-0.5, np.float32), np.array(0.7, np.float32)], [np.clip(x, -0.5, 0.7)])
    case("Clip_min_only", "Clip", [x, np.array(0.1, np.float32)], [np.maximum(x, np.float32(0.1))])
    case("Clip_max_only", "Clip", [x, None, np.array(0.2, np.float32)], [np.minimum(x, np.float32(0.2))])
    case("Clip_none", "Clip", [x], [x])
    ci = np.array([-5, 0, 3, 9], np.int64)
    case("Clip_int64", "Clip", [ci, np.array(-2, np.int64), np.array(4, np.int64)], [np.clip(ci, -2, 4)])
    cf = np.array([-2.7, -0.5, 0.0, 1.9, 3.0], np.float32)
    case("Cast_float_to_int64_truncates", "Cast", [cf], [np.trunc(cf).astype(np.int64)], to=TensorProto.INT64)
    case("Cast_int64_to_float", "Cast", [ci], [ci.astype(np.float32)], to=TensorProto.FLOAT)
    case("Cast_float_to_bool", "Cast", [cf], [cf != 0], to=TensorProto.BOOL)
    case("Cast_bool_to_float", "Cast", [p], [p.astype(np.float32)], to=TensorProto.FLOAT)
    case("CastLike", "CastLike", [ci, np.array([1.0], np.float32)], [ci.astype(np.float32)])
    case("Dropout_inference", "Dropout", [x], [x])


def shape_cases():
    x = f32(2, 3, 4)
    case("Shape", "Shape", [x], [np.array(x.shape, np.int64)])
    case("Shape_start_end", "Shape", [x], [np.array(x.shape[1:2], np.int64)], start=1, end=-1)
    case("Size", "Size", [x], [np.array(x.size, np.int64)])
    case("Reshape_zero_and_minus_one", "Reshape", [x, const(np.array([0, -1], np.int64))], [x.reshape(2, 12)])
    case("Reshape_explicit", "Reshape", [x, const(np.array([4, 3, 2], np.int64))], [x.reshape(4, 3, 2)])
    case("Flatten_default_axis", "Flatten", [x], [x.reshape(2, 12)])
    case("Flatten_axis_0", "Flatten", [x], [x.reshape(1, 24)], axis=0)
    case("Flatten_negative_axis", "Flatten", [x], [x.reshape(6, 4)], axis=-1)
    case("Transpose_default_reverses", "Transpose", [x], [x.transpose()])
    case("Transpose_perm", "Transpose", [x], [x.transpose(1, 0, 2)], perm=[1, 0, 2])
    s = f32(1, 3, 1, 2)
    case("Squeeze_negative_axis", "Squeeze", [s, const(np.array([-2], np.int64))], [s.reshape(1, 3, 2)])
    case("Squeeze_all_ones", "Squeeze", [s], [s.reshape(3, 2)])
    u = f32(3, 2)
    case("Unsqueeze_two_axes", "Unsqueeze", [u, const(np.array([0, -1], np.int64))], [u.reshape(1, 3, 2, 1)])
    a, b, c = f32(2, 1), f32(2, 3), f32(2, 2)
    case("Concat_negative_axis", "Concat", [a, b, c], [np.concatenate([a, b, c], -1)], axis=-1)
    sp = f32(2, 6)
    case("Split_sizes", "Split", [sp, const(np.array([1, 2, 3], np.int64))], [sp[:, :1], sp[:, 1:3], sp[:, 3:]], axis=-1)
    e = f32(4, 3)
    case("Split_equal_default_axis", "Split", [e], [e[:2], e[2:]])
    ex = f32(3, 1)
    case("Expand_bidirectional", "Expand", [ex, const(np.array([2, 1, 4], np.int64))], [np.broadcast_to(ex, (2, 3, 4)).copy()])
    case("Tile", "Tile", [u, const(np.array([2, 3], np.int64))], [np.tile(u, (2, 3))])
    case("ConstantOfShape_default_float_zero", "ConstantOfShape", [const(np.array([2, 3], np.int64))], [np.zeros((2, 3), np.float32)])
    case("ConstantOfShape_int64_value", "ConstantOfShape", [const(np.array([4], np.int64))], [np.full((4,), 7, np.int64)],
         value=numpy_helper.from_array(np.array([7], np.int64)))
    case("Range_int64", "Range", [const(np.array(2, np.int64)), const(np.array(11, np.int64)), const(np.array(3, np.int64))],
         [np.arange(2, 11, 3, dtype=np.int64)])
    case("Range_float_negative_delta", "Range", [const(np.array(1.0, np.float32)), const(np.array(-1.0, np.float32)),
                                                   const(np.array(-0.5, np.float32))], [np.arange(1.0, -1.0, -0.5, dtype=np.float32)])
    case("Constant_value_floats", "Constant", [], [np.array([1.5, -2.0], np.float32)], value_floats=[1.5, -2.0])
    case("Constant_value_int", "Constant", [], [np.array(42, np.int64)], value_int=42)
    case("Constant_value_tensor", "Constant", [], [u], value=numpy_helper.from_array(u))


def indexing_cases():
    x = f32(5, 4)
    idx = np.array([[0, -1], [2, 3]], np.int64)
    case("Gather_axis0_2d_negative_indices", "Gather", [x, const(idx)], [x[np.where(idx < 0, idx + 5, idx)]])
    case("Gather_last_axis_scalar_index", "Gather", [x, const(np.array(-2, np.int64))], [x[:, -2]], axis=-1)
    dyn = np.array([1, -1, 0], np.int64)
    case("Gather_indices_from_input", "Gather", [x, dyn], [x[dyn]])
    ge_idx = np.array([[0, -1, 1, 2], [3, 0, 0, -4]], np.int64)
    g = f32(2, 4)
    case("GatherElements_negative", "GatherElements", [g, const(ge_idx)], [np.take_along_axis(g, np.where(ge_idx < 0, ge_idx + 4, ge_idx), 1)], axis=1)
    s = f32(4, 6, 5)
    big = np.iinfo(np.int64).max
    case("Slice_steps_negative_axes", "Slice", [s, const(np.array([1, -5], np.int64)), const(np.array([big, -1], np.int64)),
                                                 const(np.array([0, -2], np.int64)), const(np.array([2, 2], np.int64))], [s[1::2, -5:-1:2, :]])
    case("Slice_negative_step", "Slice", [s, const(np.array([-1], np.int64)), const(np.array([-big], np.int64)),
                                           const(np.array([1], np.int64)), const(np.array([-2], np.int64))], [s[:, ::-2, :]])
    case("Slice_default_axes_steps", "Slice", [s, const(np.array([0, 2], np.int64)), const(np.array([3, 100], np.int64))], [s[0:3, 2:]])
    p = f32(2, 3)
    case("Pad_constant_value", "Pad", [p, const(np.array([0, 1, 1, 2], np.int64)), const(np.array(-3.0, np.float32))],
         [np.pad(p, ((0, 1), (1, 2)), constant_values=-3.0)])
    case("Pad_negative_crops", "Pad", [p, const(np.array([0, -1, 1, 1], np.int64))], [np.pad(p[:, 1:], ((0, 1), (0, 1)))])
    case("Pad_reflect", "Pad", [p, const(np.array([1, 2, 1, 2], np.int64))], [np.pad(p, ((1, 1), (2, 2)), mode="reflect")], mode="reflect")
    case("Pad_edge", "Pad", [p, const(np.array([1, 2, 0, 1], np.int64))], [np.pad(p, ((1, 0), (2, 1)), mode="edge")], mode="edge")
    tri = f32(2, 4, 5)
    case("Trilu_upper_default", "Trilu", [tri], [np.triu(tri)])
    case("Trilu_lower_k", "Trilu", [tri, const(np.array(-1, np.int64))], [np.tril(tri, -1)], upper=0)
    cs = f32(3, 4)
    case("CumSum", "CumSum", [cs, const(np.array(1, np.int64))], [np.cumsum(cs, 1).astype(np.float32)])
    rev = np.flip(np.cumsum(np.flip(cs, 0), 0), 0)
    case("CumSum_reverse_exclusive", "CumSum", [cs, const(np.array(-2, np.int64))], [(rev - cs).astype(np.float32)], reverse=1, exclusive=1)


def reduce_cases():
    x = f32(2, 3, 4)
    case("ReduceSum_axes_input_keepdims0", "ReduceSum", [x, const(np.array([0, -1], np.int64))], [x.sum((0, 2))], keepdims=0)
    case("ReduceSum_all_by_default", "ReduceSum", [x], [x.sum(keepdims=True)])
    case("ReduceSum_noop_with_empty_axes", "ReduceSum", [x], [x], noop_with_empty_axes=1)
    case("ReduceMean_attribute_axes", "ReduceMean", [x], [x.mean(-1, keepdims=True)], axes=[-1])
    case("ReduceMean_axes_input_form", "ReduceMean", [x, const(np.array([1], np.int64))], [x.mean(1, keepdims=True)], standard=False)
    case("ReduceMax_attribute_axes", "ReduceMax", [x], [x.max((0, 1))], axes=[0, 1], keepdims=0)
    case("ReduceMax_axes_input_form", "ReduceMax", [x, const(np.array([-2], np.int64))], [x.max(-2, keepdims=True)], standard=False)
    case("ReduceMin", "ReduceMin", [x], [x.min(2, keepdims=True)], axes=[2])
    case("ReduceProd", "ReduceProd", [x], [x.prod(1, keepdims=True)], axes=[1])
    case("ReduceL1", "ReduceL1", [x], [np.abs(x).sum(2, keepdims=True)], axes=[2])
    case("ReduceL2", "ReduceL2", [x], [np.sqrt((x * x).sum(2, keepdims=True))], axes=[2])
    case("ReduceSumSquare", "ReduceSumSquare", [x], [(x * x).sum(0, keepdims=True)], axes=[0])
    case("ReduceLogSumExp", "ReduceLogSumExp", [x], [n(torch.logsumexp(t(x), 1, keepdim=True))], axes=[1])
    ties = np.array([[1, 3, 3, 0], [2, 2, 1, 2]], np.float32)
    case("ArgMax_defaults", "ArgMax", [x], [x.argmax(0)[None].astype(np.int64)])
    case("ArgMin_negative_axis_keepdims0", "ArgMin", [x], [x.argmin(-1).astype(np.int64)], axis=-1, keepdims=0)
    case("ArgMax_select_last_index", "ArgMax", [ties], [np.array([[2], [3]], np.int64)], axis=1, select_last_index=1)


def nn_cases():
    a, b = f32(2, 3, 4), f32(4, 5)
    case("MatMul_batched_by_matrix", "MatMul", [a, b], [a @ b])
    v = f32(4)
    case("MatMul_vector_left", "MatMul", [v, b], [v @ b])
    c, d = f32(2, 1, 3, 4), f32(3, 4, 2)
    case("MatMul_broadcast_batch", "MatMul", [c, d], [c @ d])
    A, B, C = f32(3, 4), f32(4, 5), f32(5)
    case("Gemm_defaults_bias_vector", "Gemm", [A, B, C], [A @ B + C])
    C2 = f32(3, 1)
    case("Gemm_transposes_alpha_beta", "Gemm", [A.T.copy(), B.T.copy(), C2], [(0.5 * (A @ B) + 2.0 * C2).astype(np.float32)],
         transA=1, transB=1, alpha=0.5, beta=2.0)
    case("Gemm_no_bias", "Gemm", [A, B], [A @ B])
    x = f32(2, 3, 7, 6)
    w, bias = f32(4, 3, 3, 3), f32(4)
    case("Conv_pads", "Conv", [x, w, bias], [n(F.conv2d(t(x), t(w), t(bias), padding=1))], pads=[1, 1, 1, 1])
    case("Conv_strides_dilations_no_bias", "Conv", [x, w], [n(F.conv2d(t(x), t(w), None, stride=2, dilation=(1, 2)))],
         strides=[2, 2], dilations=[1, 2], kernel_shape=[3, 3])
    case("Conv_asymmetric_pads", "Conv", [x, w, bias], [n(F.conv2d(F.pad(t(x), (0, 2, 1, 0)), t(w), t(bias)))], pads=[1, 0, 0, 2])
    dw = f32(6, 1, 3, 3)
    x6 = f32(1, 6, 5, 5)
    case("Conv_depthwise_group", "Conv", [x6, dw], [n(F.conv2d(t(x6), t(dw), padding=1, groups=6))], group=6, pads=[1, 1, 1, 1])
    gw = f32(4, 3, 1, 1)
    case("Conv_groups_2_pointwise", "Conv", [x6, gw], [n(F.conv2d(t(x6), t(gw), groups=2))], group=2)
    # SAME_UPPER with stride 2 on 7x6: output 4x3; total padding 2 rows (1/1) and 1 column (0 before, 1 after)
    case("Conv_auto_pad_same_upper", "Conv", [x, w], [n(F.conv2d(F.pad(t(x), (0, 1, 1, 1)), t(w), stride=2))], auto_pad="SAME_UPPER", strides=[2, 2])
    case("Conv_auto_pad_same_lower", "Conv", [x, w], [n(F.conv2d(F.pad(t(x), (1, 0, 1, 1)), t(w), stride=2))], auto_pad="SAME_LOWER", strides=[2, 2])
    x1, w1 = f32(2, 3, 9), f32(5, 3, 3)
    case("Conv_1d", "Conv", [x1, w1], [n(F.conv1d(t(x1), t(w1), stride=2, padding=1))], strides=[2], pads=[1, 1])
    case("Conv_1d_constant_filter", "Conv", [x1, const(w1)], [n(F.conv1d(t(x1), t(w1), stride=2, padding=1))], strides=[2], pads=[1, 1])
    bn_x = f32(2, 3, 4, 5)
    scale, shift, mean, var = f32(3, lo=0.5, hi=1.5), f32(3), f32(3), f32(3, lo=0.5, hi=2)
    case("BatchNormalization", "BatchNormalization", [bn_x, scale, shift, mean, var],
         [n(F.batch_norm(t(bn_x), t(mean), t(var), t(scale), t(shift), False, 0.0, 1e-5))])
    case("BatchNormalization_epsilon", "BatchNormalization", [bn_x[:, :, 0, :], scale, shift, mean, var],
         [n(F.batch_norm(t(bn_x[:, :, 0, :]), t(mean), t(var), t(scale), t(shift), False, 0.0, 0.1))], epsilon=0.1)
    case("InstanceNormalization", "InstanceNormalization", [bn_x, scale, shift], [n(F.instance_norm(t(bn_x), weight=t(scale), bias=t(shift)))])
    ln = f32(2, 3, 8)
    g, be = f32(8, lo=0.5, hi=1.5), f32(8)
    case("LayerNormalization_default_axis", "LayerNormalization", [ln, g, be], [n(F.layer_norm(t(ln), (8,), t(g), t(be)))])
    g2 = f32(3, 8, lo=0.5, hi=1.5)
    flat = ln.reshape(2, 24)
    mu = flat.mean(1).reshape(2, 1, 1)
    inv = (1 / np.sqrt(flat.var(1) + 1e-3)).reshape(2, 1, 1)
    case("LayerNormalization_axis1_no_bias_statistics", "LayerNormalization", [ln, g2],
         [n(F.layer_norm(t(ln), (3, 8), t(g2), None, 1e-3)), mu.astype(np.float32), inv.astype(np.float32)], axis=1, epsilon=1e-3)
    sm = f32(2, 3, 4) * 3
    case("Softmax_default_last_axis", "Softmax", [sm], [n(F.softmax(t(sm), -1))])
    case("Softmax_axis1", "Softmax", [sm], [n(F.softmax(t(sm), 1))], axis=1)
    case("LogSoftmax", "LogSoftmax", [sm], [n(F.log_softmax(t(sm), -2))], axis=-2)
    e1, e2 = f32(2, 3, 4), f32(2, 4, 5)
    case("Einsum_batched_matmul", "Einsum", [e1, e2], [np.einsum("bij,bjk->bik", e1, e2)], equation="bij,bjk->bik")
    case("Einsum_transpose", "Einsum", [A], [A.T.copy()], equation="ij->ji")


def pool_cases():
    x = f32(2, 3, 7, 6)
    case("MaxPool_2x2", "MaxPool", [x], [n(F.max_pool2d(t(x), 2))], kernel_shape=[2, 2], strides=[2, 2])
    case("MaxPool_defaults_stride1", "MaxPool", [x], [n(F.max_pool2d(t(x), 3, stride=1))], kernel_shape=[3, 3])
    case("MaxPool_pads_strides", "MaxPool", [x], [n(F.max_pool2d(t(x), 3, stride=2, padding=1))], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    case("MaxPool_ceil_mode", "MaxPool", [x], [n(F.max_pool2d(t(x), 3, stride=2, ceil_mode=True))], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
    case("MaxPool_dilations", "MaxPool", [x], [n(F.max_pool2d(t(x), 2, stride=1, dilation=2))], kernel_shape=[2, 2], dilations=[2, 2])
    case("MaxPool_asymmetric_pads", "MaxPool", [x], [n(F.max_pool2d(F.pad(t(x), (1, 0, 0, 1), value=-np.inf), 2, stride=2))],
         kernel_shape=[2, 2], strides=[2, 2], pads=[0, 1, 1, 0])
    case("MaxPool_same_upper", "MaxPool", [x], [n(F.max_pool2d(F.pad(t(x), (0, 1, 0, 1), value=-np.inf), 2, stride=2))],
         kernel_shape=[2, 2], strides=[2, 2], auto_pad="SAME_UPPER")
    x1 = f32(2, 3, 9)
    case("MaxPool_1d", "MaxPool", [x1], [n(F.max_pool1d(t(x1), 3, stride=2))], kernel_shape=[3], strides=[2])
    case("AveragePool_exclude_pad", "AveragePool", [x], [n(F.avg_pool2d(t(x), 3, stride=2, padding=1, count_include_pad=False))],
         kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    case("AveragePool_include_pad", "AveragePool", [x], [n(F.avg_pool2d(t(x), 3, stride=2, padding=1, count_include_pad=True))],
         kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)
    case("AveragePool_ceil_mode", "AveragePool", [x], [n(F.avg_pool2d(t(x), 2, stride=2, ceil_mode=True))],
         kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
    case("GlobalAveragePool", "GlobalAveragePool", [x], [x.mean((2, 3), keepdims=True)])
    case("GlobalMaxPool", "GlobalMaxPool", [x], [x.max((2, 3), keepdims=True)])


def resize_cases():
    x, w, b = f32(2, 4, 5, 6), f32(4, 3, 3, 3), f32(3)
    case("ConvTranspose_stride_pads_output_padding", "ConvTranspose", [x, w, b],
         [n(F.conv_transpose2d(t(x), t(w), t(b), stride=2, padding=1, output_padding=1))], strides=[2, 2], pads=[1, 1, 1, 1],
         output_padding=[1, 1])
    full = F.conv_transpose2d(t(x), t(w), None, stride=(1, 2), dilation=2)
    case("ConvTranspose_asymmetric_pads_dilation_no_bias", "ConvTranspose", [x, w], [n(full[:, :, 1:full.shape[2] - 0, 0:full.shape[3] - 2])],
         strides=[1, 2], dilations=[2, 2], pads=[1, 0, 0, 2])
    wg = f32(4, 2, 2, 2)
    case("ConvTranspose_groups", "ConvTranspose", [x, wg], [n(F.conv_transpose2d(t(x), t(wg), stride=2, groups=2))], strides=[2, 2], group=2)
    x1, w1 = f32(2, 3, 7), f32(3, 4, 3)
    case("ConvTranspose_1d", "ConvTranspose", [x1, w1], [n(F.conv_transpose1d(t(x1), t(w1), stride=3))], strides=[3])
    case("ConvTranspose_1d_constant_filter", "ConvTranspose", [x1, const(w1)], [n(F.conv_transpose1d(t(x1), t(w1), stride=3))], strides=[3])
    r = f32(1, 2, 3, 4)
    case("Resize_nearest_asymmetric_floor_scales", "Resize", [r, None, const(np.array([1, 1, 2, 2], np.float32))],
         [n(F.interpolate(t(r), scale_factor=2, mode="nearest"))], mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    case("Resize_nearest_half_pixel_sizes", "Resize", [r, None, None, const(np.array([1, 2, 7, 5], np.int64))],
         [n(F.interpolate(t(r), size=(7, 5), mode="nearest-exact"))], mode="nearest", nearest_mode="round_prefer_ceil")
    case("Resize_linear_half_pixel", "Resize", [r, None, const(np.array([1, 1, 2, 2], np.float32))],
         [n(F.interpolate(t(r), scale_factor=2, mode="bilinear", align_corners=False))], mode="linear")
    case("Resize_linear_align_corners_sizes", "Resize", [r, None, None, const(np.array([1, 2, 5, 7], np.int64))],
         [n(F.interpolate(t(r), size=(5, 7), mode="bilinear", align_corners=True))], mode="linear", coordinate_transformation_mode="align_corners")
    big = f32(1, 2, 8, 6)
    case("Resize_linear_downscale_pytorch_half_pixel", "Resize", [big, None, const(np.array([1, 1, 0.5, 0.5], np.float32))],
         [n(F.interpolate(t(big), scale_factor=0.5, mode="bilinear", align_corners=False))], mode="linear",
         coordinate_transformation_mode="pytorch_half_pixel")


def export_form_cases():
    """Forms real PyTorch exports take: DepthToSpace (nn.PixelShuffle exports mode CRD), SpaceToDepth,
    ScatterND (an in-place slice assignment) and a training-mode Dropout of ratio 0 (torchvision's Swin),
    with their own generator so the earlier cases' values stay as they were."""
    r = np.random.default_rng(2026)
    def g(*shape):
        return np.round(r.uniform(-2.0, 2.0, size=shape), 3).astype(np.float32)
    x = g(2, 8, 2, 3)
    b = 2
    dcr = x.reshape(2, b, b, 2, 2, 3).transpose(0, 3, 4, 1, 5, 2).reshape(2, 2, 4, 6)
    crd = x.reshape(2, 2, b, b, 2, 3).transpose(0, 1, 4, 2, 5, 3).reshape(2, 2, 4, 6)
    case("DepthToSpace_DCR_default", "DepthToSpace", [x], [dcr], blocksize=b)
    case("DepthToSpace_CRD", "DepthToSpace", [x], [crd], blocksize=b, mode="CRD")
    crd_torch = n(F.pixel_shuffle(t(x), b))
    assert np.array_equal(crd, crd_torch), "CRD is PyTorch's pixel_shuffle"
    s = g(1, 3, 4, 6)
    s2d = s.reshape(1, 3, 2, b, 3, b).transpose(0, 3, 5, 1, 2, 4).reshape(1, 12, 2, 3)
    case("SpaceToDepth", "SpaceToDepth", [s], [s2d], blocksize=b)
    data = g(4, 3, 2)
    idx = np.array([[[1], [-1]], [[0], [2]]], np.int64)   # [2, 2, 1]: rows 1, 3 (as -1), 0, 2 of the first axis
    upd = g(2, 2, 3, 2)
    want = data.copy()
    for i in range(2):
        for j in range(2):
            want[idx[i, j, 0]] = upd[i, j]
    case("ScatterND_rows_negative_index", "ScatterND", [data, const(idx), upd], [want])
    idx2 = np.array([[0, 1], [3, 2], [0, 0]], np.int64)   # [3, 2]: single rows of length 2
    upd2 = g(3, 2)
    want2 = data.copy()
    for i in range(3):
        want2[idx2[i, 0], idx2[i, 1]] = upd2[i]
    case("ScatterND_elements", "ScatterND", [data, const(idx2), upd2], [want2])
    idx3 = np.array([[1, 0, 1], [1, 0, 1], [2, 2, 0]], np.int64)   # duplicates add up
    upd3 = g(3)
    want3 = data.copy()
    for i in range(3):
        want3[tuple(idx3[i])] += upd3[i]
    case("ScatterND_add_duplicates", "ScatterND", [data, const(idx3), upd3], [want3], reduction="add")
    d = g(2, 3)
    case("Dropout_training_ratio_zero", "Dropout", [d, const(np.array(0.0, np.float32)), const(np.array(True))], [d])


def topk_cases():
    """TopK (torch.topk exports it): the last axis largest with ties, axis 0 smallest, K = 0; expected by a
    stable sort, so ties give the lower index first, as ONNX specifies."""
    rng = np.random.default_rng(31)
    x = rng.integers(-2, 3, size=(3, 6)).astype(np.float32)  # many ties
    idx = np.argsort(-x, axis=-1, kind="stable")[:, :4]
    case("TopK_largest_ties", "TopK", [x, const(np.array([4], np.int64))], [np.take_along_axis(x, idx, -1), idx])
    y = rng.standard_normal((5, 2)).astype(np.float32)
    idy = np.argsort(y, axis=0, kind="stable")[:3]
    case("TopK_smallest_axis0", "TopK", [y, const(np.array([3], np.int64))], [np.take_along_axis(y, idy, 0), idy], axis=0, largest=0)
    case("TopK_k_zero", "TopK", [y, const(np.array([0], np.int64))], [np.zeros((5, 0), np.float32), np.zeros((5, 0), np.int64)])


def scatter_elements_cases():
    """ScatterElements (torch.scatter and scatter_add export it): placement on axis 1 with a negative index, an
    index smaller than the data on the other axis (as torch allows), and add with duplicates on axis 0."""
    rng = np.random.default_rng(37)
    data = rng.standard_normal((3, 5)).astype(np.float32)
    idx = np.array([[4, 0], [-1, 2], [1, 3]], np.int64)
    upd = rng.standard_normal((3, 2)).astype(np.float32)
    want = data.copy()
    for i in range(3):
        for j in range(2):
            want[i, idx[i, j] % 5] = upd[i, j]
    case("ScatterElements_axis1_negative", "ScatterElements", [data, const(idx), upd], [want], axis=1)
    idx0 = np.array([[0, 2, 2, 1, 0], [0, 0, 1, 1, 2]], np.int64)  # duplicates add up
    upd0 = rng.standard_normal((2, 5)).astype(np.float32)
    want0 = data.copy()
    for i in range(2):
        for j in range(5):
            want0[idx0[i, j], j] += upd0[i, j]
    case("ScatterElements_add_axis0", "ScatterElements", [data, const(idx0), upd0], [want0], axis=0, reduction="add")


def one_hot_cases():
    """OneHot (F.one_hot exports it): the last axis with a negative index and one out of range (a row of off
    values), and axis 0 with other on/off values."""
    idx = np.array([[0, 3, -1], [2, 7, -4]], np.int64)
    want = np.zeros((2, 3, 4), np.float32)
    for i in range(2):
        for j in range(3):
            k = idx[i, j] + 4 if idx[i, j] < 0 else idx[i, j]
            if 0 <= k < 4:
                want[i, j, k] = 1
    case("OneHot_last_axis", "OneHot", [idx, const(np.array(4, np.int64)), const(np.array([0, 1], np.float32))], [want])
    idx0 = np.array([1, 0, 2], np.int64)
    want0 = np.full((3, 3), -1, np.float32)
    for j in range(3):
        want0[idx0[j], j] = 5
    case("OneHot_axis0", "OneHot", [idx0, const(np.array([3], np.int64)), const(np.array([-1, 5], np.float32))], [want0], axis=0)


def eye_like_cases():
    """EyeLike (torch.eye of a traced size exports it): a 3x5 input with k = 1, and k = -2 as int64."""
    x = f32(3, 5)
    case("EyeLike_k1", "EyeLike", [x], [np.eye(3, 5, k=1, dtype=np.float32)], k=1)
    case("EyeLike_k_minus2_int64", "EyeLike", [x], [np.eye(3, 5, k=-2, dtype=np.int64)], k=-2, dtype=TensorProto.INT64)


def operator_cases():
    folder = os.path.join(BASE, "ops")
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    elementwise_cases()
    shape_cases()
    indexing_cases()
    reduce_cases()
    nn_cases()
    pool_cases()
    resize_cases()
    recurrent_cases(cases)
    export_form_cases()
    topk_cases()
    scatter_elements_cases()
    one_hot_cases()
    eye_like_cases()
    write_cases(cases, folder)


def write_cases(case_list, folder):
    total = 0
    for name, model, feeds, outs in case_list:
        path = os.path.join(folder, name + ".onnx")
        onnx.save(model, path)
        write_io(os.path.join(folder, name + ".io.pb"), feeds, outs)
        total += os.path.getsize(path) + os.path.getsize(os.path.join(folder, name + ".io.pb"))
    print("%d single-node cases, %d bytes" % (len(case_list), total))


# ---- large models (not committed) -------------------------------------------------------------

def large_models(out_dir):
    """torchvision's ResNet-18, ResNet-50 and MobileNetV2 (random initialisation, eval mode, batch
    symbolic), written with their test data to out_dir for LargeModelsTest (-Djavelin.onnx.models=DIR)."""
    import torchvision
    global BASE
    os.makedirs(os.path.join(out_dir, "models"), exist_ok=True)
    BASE = out_dir
    for name, make in [("resnet18", torchvision.models.resnet18), ("resnet50", torchvision.models.resnet50),
                       ("mobilenet_v2", torchvision.models.mobilenet_v2)]:
        torch.manual_seed(0)
        model = randomize_norms(make(weights=None))
        export(name, model, (torch.randn(2, 3, 224, 224),), ["input"], ["logits"],
               {"input": {0: "batch_size"}, "logits": {0: "batch_size"}}, 17)


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--large":
        large_models(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "--later":  # cases added later, the other files untouched
        topk_cases()
        scatter_elements_cases()
        one_hot_cases()
        eye_like_cases()
        write_cases(cases, os.path.join(BASE, "ops"))
    elif len(sys.argv) == 2 and sys.argv[1] == "--recurrent":
        recurrent_models(export)
        recurrent_only = []
        recurrent_cases(recurrent_only)
        write_cases(recurrent_only, os.path.join(BASE, "ops"))
    else:
        models()
        operator_cases()
