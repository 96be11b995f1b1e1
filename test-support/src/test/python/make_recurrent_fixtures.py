#!/usr/bin/python3
"""Writes the PyTorch references for the recurrent and 1-D layers (highlevel's RecurrentFixturesTest).

Run from the repository root with the system's PyTorch (Debian's python3-torch):
    /usr/bin/python3 test-support/src/test/python/make_recurrent_fixtures.py

Output: highlevel/src/test/resources/fixtures/recurrent.json. Everything is float64 and seeded, so
reruns give the same file and the Java side (also float64) can compare tightly.

Each case holds the PyTorch state of the module under its own names (weight_ih_l0, ..., or
conv weight/bias), the input "x" [batch, time, features] (batch first), optional initial states,
the forward outputs, an upstream gradient "dy" of the main output, and "grad_<name>" for x and for
every parameter: the gradient of sum(out * dy). The Java test converts the state with
TorchWeights (the documented layout), so the test checks the conversion as well as the layer.
Conv/pool cases are channels last on the way in and out ([N, T, C]); PyTorch's [N, C, T] is a
permute inside this script. "same" padding puts the odd extra step at the end (TensorFlow's rule).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
OUT = os.path.join(ROOT, "highlevel", "src", "test", "resources", "fixtures")

torch.manual_seed(1313)
torch.set_default_dtype(torch.float64)


def enc(t):
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "dtype": "float64", "data": [float(repr(v)) for v in t.reshape(-1).tolist()]}


def rnd(*shape):
    return torch.round((torch.rand(*shape) * 2 - 1) * 1000) / 1000


cases = []


def add(name, kind, module, x, out, dy, extra=None, **attrs):
    """Records the module's state, x, outputs, dy and the gradients of sum(out * dy)."""
    case = {"name": name, "kind": kind}
    case.update(attrs)
    params = dict(module.named_parameters())
    for k, v in params.items():
        case[k] = enc(v)
    case["x"] = enc(x)
    for k, v in (extra or {}).items():
        case[k] = enc(v)
    main = out[0] if isinstance(out, (tuple, list)) else out
    case["out"] = enc(main)
    if isinstance(out, (tuple, list)):
        for i, o in enumerate(out[1:]):
            case["state%d" % i] = enc(o)
    case["dy"] = enc(dy)
    leaves = [x] + list(params.values())
    grads = torch.autograd.grad((main * dy).sum(), leaves)
    case["grad_x"] = enc(grads[0])
    for k, g in zip(params.keys(), grads[1:]):
        case["grad_" + k] = enc(g)
    cases.append(case)


def recurrent(name, cls, bidirectional=False, initial=False, **kw):
    n, t, d, u = 2, 5, 3, 4
    m = cls(d, u, batch_first=True, bidirectional=bidirectional, **kw)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(rnd(*p.shape) * 0.8)
    x = rnd(n, t, d).requires_grad_()
    dirs = 2 if bidirectional else 1
    extra = {}
    if initial:
        h0 = rnd(dirs, n, u)
        extra["h0"] = h0
        if cls is nn.LSTM:
            c0 = rnd(dirs, n, u)
            extra["c0"] = c0
            seq, (h, c) = m(x, (h0, c0))
        else:
            seq, h = m(x, h0)
    else:
        res = m(x)
        seq, hc = res
        h, c = (hc if cls is nn.LSTM else (hc, None))
    if cls is nn.LSTM and initial:
        pass
    states = [h[0], c[0]] if cls is nn.LSTM else [h[0]]
    dy = rnd(*seq.shape)
    add(name, cls.__name__, m, x, [seq] + states, dy, extra, units=u, bidirectional=bidirectional)


def conv1d(name, cin, cout, k, stride, dilation, groups, padding):
    m = nn.Conv1d(cin, cout, k, stride=stride, dilation=dilation, groups=groups)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(rnd(*p.shape))
    x = rnd(2, 9, cin).requires_grad_()
    xc = x.permute(0, 2, 1)
    eff = (k - 1) * dilation + 1
    if padding == "causal":
        xc = F.pad(xc, (eff - 1, 0))
    elif padding == "same":
        out_len = (9 + stride - 1) // stride
        total = max((out_len - 1) * stride + eff - 9, 0)
        xc = F.pad(xc, (total // 2, total - total // 2))
    y = m(xc).permute(0, 2, 1)
    add(name, "Conv1d", m, x, y, rnd(*y.shape), filters=cout, kernel_size=k, strides=stride, dilation=dilation,
        groups=groups, padding=padding)


class Pool(nn.Module):
    def __init__(self, kind, k, s):
        super().__init__()
        self.kind, self.k, self.s = kind, k, s

    def forward(self, x):
        xc = x.permute(0, 2, 1)
        y = F.max_pool1d(xc, self.k, self.s) if self.kind == "max" else F.avg_pool1d(xc, self.k, self.s)
        return y.permute(0, 2, 1)


def pool(name, kind, k, s):
    m = Pool(kind, k, s)
    x = rnd(2, 9, 3).requires_grad_()
    y = m(x)
    add(name, "pool", m, x, y, rnd(*y.shape), pool=kind, pool_size=k, strides=s)


recurrent("rnn", nn.RNN)
recurrent("rnn_initial", nn.RNN, initial=True)
recurrent("lstm", nn.LSTM)
recurrent("lstm_initial", nn.LSTM, initial=True)
recurrent("gru", nn.GRU)
recurrent("gru_initial", nn.GRU, initial=True)
recurrent("lstm_bidirectional", nn.LSTM, bidirectional=True)
recurrent("gru_bidirectional", nn.GRU, bidirectional=True)
conv1d("conv1d_valid", 4, 6, 3, 1, 1, 1, "valid")
conv1d("conv1d_same_stride", 4, 6, 4, 2, 1, 2, "same")
conv1d("conv1d_causal_dilated", 3, 5, 3, 1, 2, 1, "causal")
pool("maxpool1d", "max", 3, 2)
pool("avgpool1d", "avg", 2, 2)

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "recurrent.json"), "w") as f:
    json.dump({"generator": "test-support/src/test/python/make_recurrent_fixtures.py", "torch": torch.__version__,
               "cases": cases}, f, separators=(",", ":"))
print("wrote", len(cases), "cases")
