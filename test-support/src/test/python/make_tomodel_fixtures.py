#!/usr/bin/python3
"""Writes the fixtures of javelin-onnx's toModel tests on real PyTorch exports with a FIXED batch (what
torch.onnx.export writes without dynamic_axes, i.e. what most users have), and PyTorch's fine-tuning of
the same models, so the tests can compare a converted model's training steps with PyTorch's:

  onnx/src/test/resources/dev/javelin/onnx/models/<name>.onnx        the exported model (batch fixed)
  .../models/<name>.io.pb                                           inputs and PyTorch's outputs
  .../models/<name>.finetune.io.pb                                  inputs "x" (and "y", the target); outputs
      "losses" (float32 [steps]: PyTorch's MSE loss before each SGD step, full batch) and "after"
      (the model's output after the steps)

Models (random initialisation, fixed seeds, eval mode, dropout 0):
  gpt_tied_fixed   a 2-block pre-LN causal GPT (nn.MultiheadAttention with a triu(-inf) attn_mask), token and
                   position embeddings, LM head tied to the token embedding; ids [2, 8], opset 17
  gru_cls_fixed    Embedding -> GRU (batch_first) -> Linear on the last step: ids [4, 7], opset 14
  conv1d_fixed     Conv1d -> ReLU -> Conv1d (stride 2) -> x.view(x.size(0), -1) -> Linear: x [3, 4, 10], opset 15
  torch_causal_fixed  PyTorch's own nn.TransformerEncoder (2 post-LN layers, relu) over a Linear input projection with
                   generate_square_subsequent_mask as its src_mask, as GPT-like models are often written: x [2, 8, 12],
                   opset 14 (LayerNorm decomposed)
  gpt_tied_b1, bilstm_b1  a smaller tied GPT (vocabulary 20, width 16, 2 heads) and a bidirectional LSTM tagger
                   exported at a batch of 1, the commonest fixed batch, with PyTorch's outputs at batch 3 in
                   <name>.batch3.io.pb (--batch-one writes only these)
  padded_encoder_fixed  nn.TransformerEncoder with a src_key_padding_mask input (x [2, 7, 5], pad bool [2, 7]), opset
                   17, with PyTorch's outputs at batch 3 too (--padded-encoder writes only this)
  gemm_alpha       one Gemm node (alpha 0.5, transB 1) built with onnx.helper, which toModel keeps as an
                   OnnxOpLayer (its weight must still train): x [3, 5], opset 17

and, with --large DIR (not committed; written to DIR/models, 10 MB): torchvision's mobilenet_v3_small at a fixed
batch of 2, 96 x 96, with its fine-tuning steps (RealExportsToModelTest, with -Djavelin.onnx.models=DIR).

Run from the repository root with Debian's packages (apt install python3-torch python3-torchvision python3-onnx):
    /usr/bin/python3 test-support/src/test/python/make_tomodel_fixtures.py
    /usr/bin/python3 test-support/src/test/python/make_tomodel_fixtures.py --large DIR
    /usr/bin/python3 test-support/src/test/python/make_tomodel_fixtures.py --batch-one
    /usr/bin/python3 test-support/src/test/python/make_tomodel_fixtures.py --padded-encoder
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(__file__))
from make_onnx_fixtures import randomize_norms, write_io  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
MODELS = os.path.join(ROOT, "onnx", "src", "test", "resources", "dev", "javelin", "onnx", "models")

STEPS = 3
LR = 0.05


def finetune(model, x, steps=STEPS, lr=LR, seed=0):
    """PyTorch's plain SGD on the MSE between the model's output and a fixed random target, full batch:
    returns (target, losses before each step, output after the steps)."""
    with torch.no_grad():
        out = model(x)
    g = torch.Generator().manual_seed(seed)
    y = torch.randn(out.shape, generator=g)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    with torch.no_grad():
        after = model(x)
    return y, np.array(losses, np.float32), after


def export_fixed(folder, name, model, x, input_name, output_name, opset):
    """Exports with the batch fixed (no dynamic_axes), writes the outputs and then the fine-tuning record."""
    model.eval()
    path = os.path.join(folder, name + ".onnx")
    torch.onnx.export(model, (x,), path, input_names=[input_name], output_names=[output_name], opset_version=opset,
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    with torch.no_grad():
        out = model(x)
    write_io(os.path.join(folder, name + ".io.pb"), [(input_name, x.numpy())], [(output_name, out.numpy())])
    y, losses, after = finetune(model, x)
    write_io(os.path.join(folder, name + ".finetune.io.pb"), [("x", x.numpy()), ("y", y.numpy())],
             [("losses", losses), ("after", after.numpy())])
    params = sum(p.numel() for p in model.parameters())
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    print("%-16s opset %d, %8d bytes, %d parameters, losses %s: %s" % (name, opset, os.path.getsize(path), params, losses,
                                                                        " ".join(ops)))


class Block(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True, dropout=0.0)
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.ff1, self.ff2 = nn.Linear(d, ff), nn.Linear(ff, d)

    def forward(self, x, mask):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.ff2(F.gelu(self.ff1(self.ln2(x))))


class TiedGpt(nn.Module):
    """A tiny GPT whose LM head is the token embedding (head.weight = tok.weight), as GPT-2 ties them."""

    def __init__(self, vocab=40, d=32, heads=4, context=8):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(context, d)
        self.blocks = nn.ModuleList([Block(d, heads, 2 * d) for _ in range(2)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.tok.weight

    def forward(self, ids):
        t = ids.shape[1]
        x = self.tok(ids) + self.pos(torch.arange(t)).unsqueeze(0)
        mask = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        for b in self.blocks:
            x = b(x, mask)
        return self.head(self.ln(x))


class GruClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(30, 16)
        self.gru = nn.GRU(16, 24, batch_first=True)
        self.fc = nn.Linear(24, 4)

    def forward(self, ids):
        y, _ = self.gru(self.emb(ids))
        return self.fc(y[:, -1])


class Conv1dNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(4, 8, 3, padding=1)
        self.c2 = nn.Conv1d(8, 6, 3, stride=2)
        self.fc = nn.Linear(6 * 4, 5)

    def forward(self, x):
        h = self.c2(F.relu(self.c1(x)))
        return self.fc(h.view(h.size(0), -1))


class TorchCausal(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(12, 32)
        layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(32, 6)

    def forward(self, x):
        mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1])
        return self.head(self.encoder(self.proj(x), mask=mask))


def gemm_alpha(folder):
    """One Gemm node (alpha 0.5, transB 1, bias): y = 0.5 x W^T + b, and PyTorch's SGD on it."""
    torch.manual_seed(33)
    w = torch.randn(4, 5, requires_grad=True)
    b = torch.randn(4, requires_grad=True)
    x = torch.randn(3, 5)
    node = helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="/head/Gemm", alpha=0.5, transB=1)
    graph = helper.make_graph([node], "gemm_alpha", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4])],
                              [numpy_helper.from_array(w.detach().numpy(), "w"), numpy_helper.from_array(b.detach().numpy(), "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(folder, "gemm_alpha.onnx"))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.w, self.b = nn.Parameter(w.detach().clone()), nn.Parameter(b.detach().clone())

        def forward(self, v):
            return 0.5 * v @ self.w.t() + self.b

    net = Net()
    with torch.no_grad():
        out = net(x)
    write_io(os.path.join(folder, "gemm_alpha.io.pb"), [("x", x.numpy())], [("y", out.numpy())])
    y, losses, after = finetune(net, x)
    write_io(os.path.join(folder, "gemm_alpha.finetune.io.pb"), [("x", x.numpy()), ("y", y.numpy())],
             [("losses", losses), ("after", after.numpy())])
    print("gemm_alpha       losses %s" % losses)


class BiLstmTagger(nn.Module):
    """A bidirectional LSTM and a Linear on every step: the export turns the LSTM's Y [T, 2, B, H] into [B, T, 2H]
    through a Reshape to a constant [T, B, 2H]."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 6, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(12, 3)

    def forward(self, x):
        return self.fc(self.lstm(x)[0])


def batch_one(folder):
    """Exports with one example (torch.onnx.export(model, x[:1]), the commonest fixed batch), where a Reshape's
    constant target cannot say which axis holds the batch ([T, 1, E] -> [T, 2, 8] is [T, B*H, D] or [T*B, H, D]);
    PyTorch's outputs at batch 3 go to <name>.batch3.io.pb, what toModel's model must give at any batch."""
    cases = [("gpt_tied_b1", 36, lambda: randomize_norms(TiedGpt(vocab=20, d=16, heads=2)), lambda b: torch.randint(0, 20, (b, 8)),
              "ids", "logits", 17),
             ("bilstm_b1", 37, BiLstmTagger, lambda b: torch.randn(b, 6, 4), "x", "y", 14)]
    for name, seed, make, data, input_name, output_name, opset in cases:
        torch.manual_seed(seed)
        model = make().eval()
        x1, x3 = data(1), data(3)
        with torch.no_grad():
            out = model(x3)  # before export_fixed fine-tunes the model
        export_fixed(folder, name, model, x1, input_name, output_name, opset)
        write_io(os.path.join(folder, name + ".batch3.io.pb"), [(input_name, x3.numpy())], [(output_name, out.numpy())])


class PaddedEncoder(nn.Module):
    """PyTorch's nn.TransformerEncoder with a src_key_padding_mask input, as a BERT-like classifier is written; exported
    with a fixed batch, the mask's additive form is Where(mask, -inf, zeros) with the zeros folded to a constant
    [B*H, 1, T]."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(5, 16)
        layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(16, 3)

    def forward(self, x, pad):
        return self.head(self.encoder(self.proj(x), src_key_padding_mask=pad))


def padded_encoder(folder):
    """The encoder above exported at a batch of 2 with a key padding mask (padding at the end of some rows), with
    PyTorch's outputs at that batch (<name>.io.pb) and at batch 3 (<name>.batch3.io.pb)."""
    torch.manual_seed(38)
    model = randomize_norms(PaddedEncoder()).eval()

    def data(b):
        x = torch.randn(b, 7, 5)
        pad = torch.zeros(b, 7, dtype=torch.bool)
        for i in range(b):
            pad[i, 7 - i % 3:] = True
        return x, pad

    (x2, p2), (x3, p3) = data(2), data(3)
    path = os.path.join(folder, "padded_encoder_fixed.onnx")
    torch.onnx.export(model, (x2, p2), path, input_names=["x", "pad"], output_names=["y"], opset_version=17,
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    with torch.no_grad():
        for suffix, (x, p) in ((".io.pb", (x2, p2)), (".batch3.io.pb", (x3, p3))):
            write_io(os.path.join(folder, "padded_encoder_fixed" + suffix), [("x", x.numpy()), ("pad", p.numpy())],
                     [("y", model(x, p).numpy())])
    print("padded_encoder_fixed %d bytes" % os.path.getsize(path))


def small(folder):
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(30)
    export_fixed(folder, "gpt_tied_fixed", randomize_norms(TiedGpt()), torch.randint(0, 40, (2, 8)), "ids", "logits", 17)
    torch.manual_seed(31)
    export_fixed(folder, "gru_cls_fixed", GruClassifier(), torch.randint(0, 30, (4, 7)), "ids", "logits", 14)
    torch.manual_seed(32)
    export_fixed(folder, "conv1d_fixed", Conv1dNet(), torch.randn(3, 4, 10), "x", "y", 15)
    torch.manual_seed(35)
    export_fixed(folder, "torch_causal_fixed", randomize_norms(TorchCausal()), torch.randn(2, 8, 12), "x", "y", 14)
    gemm_alpha(folder)
    batch_one(folder)
    padded_encoder(folder)


def large(folder):
    import torchvision
    folder = os.path.join(folder, "models")  # the layout LargeModelsTest reads (-Djavelin.onnx.models=DIR)
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(34)
    model = randomize_norms(torchvision.models.mobilenet_v3_small(weights=None))
    export_fixed(folder, "mobilenet_v3_small_fixed", model, torch.randn(2, 3, 96, 96), "input", "logits", 17)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--large":
        large(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "--batch-one":
        batch_one(MODELS)
    elif len(sys.argv) == 2 and sys.argv[1] == "--padded-encoder":
        padded_encoder(MODELS)
    else:
        small(MODELS)
