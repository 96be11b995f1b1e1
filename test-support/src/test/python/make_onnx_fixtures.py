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

def export(name, model, args, input_names, output_names, dynamic_axes, opset, fold=True):
    """fold=False keeps BatchNormalization nodes (torch fuses them into the convolutions in EVAL mode)."""
    model.eval()
    path = os.path.join(BASE, "models", name + ".onnx")
    # Exported with gradients enabled: under no_grad, MultiheadAttention takes its fused fast path,
    # which torch 1.13 cannot export.
    torch.onnx.export(model, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=opset, do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL if fold else torch.onnx.TrainingMode.PRESERVE)
    with torch.no_grad():
        outs = model(*args)
    if not isinstance(outs, tuple):
        outs = (outs,)
    write_io(os.path.join(BASE, "models", name + ".io.pb"),
             [(n, a.numpy()) for n, a in zip(input_names, args)],
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
    torch.manual_seed(19)
    export("decoder", randomize_norms(Decoder()), (torch.randint(0, 50, (2, 12)),), ["ids"], ["log_probs"],
           {"ids": {0: "batch_size", 1: "sequence"}, "log_probs": {0: "batch_size", 1: "sequence"}}, 17)


if __name__ == "__main__":
    models()
