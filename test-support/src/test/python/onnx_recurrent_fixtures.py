"""The recurrent part of make_onnx_fixtures.py (LSTM, GRU, RNN), which calls it; run alone it writes only
these files, leaving the others as they are:
    /usr/bin/python3 test-support/src/test/python/make_onnx_fixtures.py --recurrent

Models: small PyTorch networks exported by torch.onnx.export (nn.LSTM 2 layers bidirectional batch_first,
nn.LSTM sequence-first, nn.GRU, nn.RNN tanh and relu, each with a Linear head, batch and length dynamic),
with PyTorch's outputs. Single-node cases: what PyTorch's export never writes (layout 1, sequence_lens,
initial states, reverse, linear_before_reset 0, only some outputs), with outputs from `reference` below,
a NumPy transcription of ONNX's operator definitions, itself checked here against PyTorch where PyTorch
computes the same thing.
"""
import numpy as np
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper

ACT = {"Sigmoid": lambda v: 1 / (1 + np.exp(-v)), "Tanh": np.tanh, "Relu": lambda v: np.maximum(v, 0)}
DEFAULTS = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"], "RNN": ["Tanh"]}
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


def reference(op, x, w, r, b=None, lens=None, h0=None, c0=None, direction="forward", layout=0, activations=None,
              linear_before_reset=0):
    """ONNX's LSTM / GRU / RNN in float64: returns Y, Y_h (and Y_c for LSTM) in the node's layout."""
    x, w, r = (np.asarray(a, np.float64) for a in (x, w, r))
    if layout == 1:
        x = x.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    steps, batch, _ = x.shape
    dirs, hidden = w.shape[0], r.shape[2]
    g = GATES[op]
    b = np.zeros((dirs, 2 * g * hidden)) if b is None else np.asarray(b, np.float64)
    lens = np.full(batch, steps) if lens is None else np.asarray(lens)
    acts = activations or DEFAULTS[op] * dirs
    per = len(DEFAULTS[op])
    y = np.zeros((steps, dirs, batch, hidden))
    yh = np.zeros((dirs, batch, hidden))
    yc = np.zeros((dirs, batch, hidden))
    for d in range(dirs):
        f = [ACT[a] for a in acts[d * per:(d + 1) * per]]
        wb, rb = b[d, :g * hidden], b[d, g * hidden:]
        for n in range(batch):
            h = np.zeros(hidden) if h0 is None else np.asarray(h0[d, n], np.float64)
            c = np.zeros(hidden) if c0 is None else np.asarray(c0[d, n], np.float64)
            order = range(lens[n]) if (direction == "forward" or (direction == "bidirectional" and d == 0)) \
                else reversed(range(lens[n]))
            for t in order:
                xi = x[t, n]
                if op == "LSTM":
                    z = w[d] @ xi + r[d] @ h + wb + rb
                    i, o, fg, cc = np.split(z, 4)
                    i, o, fg, cc = f[0](i), f[0](o), f[0](fg), f[1](cc)
                    c = fg * c + i * cc
                    h = o * f[2](c)
                elif op == "GRU":
                    wz, wr, wh = np.split(w[d], 3)
                    rz, rr, rh = np.split(r[d], 3)
                    wbz, wbr, wbh = np.split(wb, 3)
                    rbz, rbr, rbh = np.split(rb, 3)
                    zt = f[0](wz @ xi + rz @ h + wbz + rbz)
                    rt = f[0](wr @ xi + rr @ h + wbr + rbr)
                    if linear_before_reset:
                        ht = f[1](wh @ xi + rt * (rh @ h + rbh) + wbh)
                    else:
                        ht = f[1](wh @ xi + rh @ (rt * h) + rbh + wbh)
                    h = (1 - zt) * ht + zt * h
                else:
                    h = f[0](w[d] @ xi + r[d] @ h + wb + rb)
                y[t, d, n] = h
            yh[d, n], yc[d, n] = h, c
    if layout == 1:
        y, yh, yc = y.transpose(2, 0, 1, 3), yh.transpose(1, 0, 2), yc.transpose(1, 0, 2)
    outs = [y, yh, yc] if op == "LSTM" else [y, yh]
    return [o.astype(np.float32) for o in outs]


def check_reference_against_pytorch():
    """The NumPy reference agrees with PyTorch's LSTM, GRU and RNN (bidirectional, initial states)."""
    torch.manual_seed(5)
    for op, module in [("LSTM", nn.LSTM(3, 4, bidirectional=True)), ("GRU", nn.GRU(3, 4, bidirectional=True)),
                       ("RNN", nn.RNN(3, 4, bidirectional=True, nonlinearity="relu"))]:
        x = torch.randn(5, 2, 3)
        h0 = torch.randn(2, 2, 4)
        states = (h0, torch.randn(2, 2, 4)) if op == "LSTM" else h0
        with torch.no_grad():
            y, hn = module(x, states)
        w, r, b = [], [], []
        for sfx in ["", "_reverse"]:
            wi, wh = getattr(module, "weight_ih_l0" + sfx).detach().numpy(), getattr(module, "weight_hh_l0" + sfx).detach().numpy()
            bi, bh = getattr(module, "bias_ih_l0" + sfx).detach().numpy(), getattr(module, "bias_hh_l0" + sfx).detach().numpy()
            perm = torch_to_onnx_rows(op, 4)
            w.append(wi[perm]), r.append(wh[perm]), b.append(np.concatenate([bi[perm], bh[perm]]))
        acts = ["Relu", "Relu"] if op == "RNN" else None
        outs = reference(op, x.numpy(), np.stack(w), np.stack(r), np.stack(b), h0=h0.numpy(),
                         c0=states[1].numpy() if op == "LSTM" else None, direction="bidirectional", activations=acts,
                         linear_before_reset=1)
        expected_y = y.numpy().reshape(5, 2, 2, 4).transpose(0, 2, 1, 3)
        assert np.allclose(outs[0], expected_y, atol=1e-5), op
        assert np.allclose(outs[1], (hn[0] if op == "LSTM" else hn).numpy(), atol=1e-5), op
        if op == "LSTM":
            assert np.allclose(outs[2], hn[1].numpy(), atol=1e-5), op


def torch_to_onnx_rows(op, hidden):
    """Row order taking PyTorch's gate blocks (LSTM i,f,g,o; GRU r,z,n) to ONNX's (i,o,f,c; z,r,h)."""
    blocks = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2], "RNN": [0]}[op]
    return np.concatenate([np.arange(k * hidden, (k + 1) * hidden) for k in blocks])


def node_case(case_list, name, op, x, hidden, rng, opset=17, outputs=(True, True, True), **opts):
    """One LSTM/GRU/RNN node with random weights; opts: bias, lens, h0, c0 (True for random ones), direction,
    layout, activations, linear_before_reset. outputs: which of Y, Y_h, Y_c the node names."""
    g = GATES[op]
    dirs = 2 if opts.get("direction") == "bidirectional" else 1
    features = x.shape[2]
    batch = x.shape[0] if opts.get("layout", 0) == 1 else x.shape[1]
    w = rng.uniform(-0.6, 0.6, (dirs, g * hidden, features)).astype(np.float32)
    r = rng.uniform(-0.6, 0.6, (dirs, g * hidden, hidden)).astype(np.float32)
    b = rng.uniform(-0.4, 0.4, (dirs, 2 * g * hidden)).astype(np.float32) if opts.pop("bias", True) else None
    state_shape = (batch, dirs, hidden) if opts.get("layout", 0) == 1 else (dirs, batch, hidden)
    h0 = rng.uniform(-1, 1, state_shape).astype(np.float32) if opts.pop("h0", False) else None
    c0 = rng.uniform(-1, 1, state_shape).astype(np.float32) if opts.pop("c0", False) else None
    lens = opts.pop("lens", None)
    expected = reference(op, x, w, r, b, lens=lens, h0=h0, c0=c0, **opts)
    inputs = [("x", x), ("w", w), ("r", r), ("b", b), ("lens", None if lens is None else np.asarray(lens, np.int32)),
              ("h0", h0), ("c0", c0)][:7 if op == "LSTM" else 6]
    names, graph_inputs, inits, feeds = [], [], [], []
    for n, a in inputs:
        if a is None:
            names.append("")
            continue
        names.append(n)
        if n in ("w", "r", "b"):
            inits.append(numpy_helper.from_array(a, n))
        else:
            graph_inputs.append(helper.make_tensor_value_info(n, TensorProto.INT32 if n == "lens" else TensorProto.FLOAT, list(a.shape)))
            feeds.append((n, a))
    while names and names[-1] == "":
        names.pop()
    outs = [("y%d" % i if keep else "") for i, keep in enumerate(outputs[:len(expected)])]
    while outs and outs[-1] == "":
        outs.pop()
    attrs = {k: v for k, v in opts.items() if v is not None}
    node = helper.make_node(op, names, outs, name=name, hidden_size=hidden, **attrs)
    graph_outputs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, list(e.shape)) for o, e in zip(outs, expected) if o]
    graph = helper.make_graph([node], name, graph_inputs, graph_outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="make_onnx_fixtures")
    import onnx
    onnx.checker.check_model(model, full_check=True)
    case_list.append((name, model, feeds, [(o, e) for o, e in zip(outs, expected) if o]))


def recurrent_cases(case_list):
    check_reference_against_pytorch()
    rng = np.random.default_rng(1717)

    def seq(*shape):
        return np.round(rng.uniform(-1.5, 1.5, shape), 3).astype(np.float32)

    node_case(case_list, "LSTM_forward_defaults", "LSTM", seq(5, 2, 3), 4, rng, opset=13)
    node_case(case_list, "LSTM_bidirectional_layout1_states_lens", "LSTM", seq(3, 6, 2), 3, rng, opset=14, layout=1,
              direction="bidirectional", h0=True, c0=True, lens=[6, 2, 4])
    node_case(case_list, "LSTM_reverse_relu_no_bias_only_Y_c", "LSTM", seq(4, 2, 3), 2, rng, direction="reverse", bias=False,
              activations=["Sigmoid", "Relu", "Relu"], outputs=(False, False, True))
    node_case(case_list, "GRU_bidirectional_linear_before_reset", "GRU", seq(4, 3, 2), 3, rng, direction="bidirectional",
              linear_before_reset=1, h0=True)
    node_case(case_list, "GRU_reset_before_lens_layout1", "GRU", seq(2, 5, 3), 4, rng, opset=15, layout=1, lens=[3, 5], h0=True)
    node_case(case_list, "GRU_reverse_no_bias_only_Y_h", "GRU", seq(3, 2, 2), 2, rng, direction="reverse", bias=False,
              linear_before_reset=1, outputs=(False, True))
    node_case(case_list, "RNN_relu_reverse_states", "RNN", seq(4, 2, 3), 3, rng, direction="reverse", activations=["Relu"], h0=True)
    node_case(case_list, "RNN_bidirectional_layout1_lens", "RNN", seq(3, 4, 2), 2, rng, opset=16, layout=1,
              direction="bidirectional", lens=[1, 4, 2], activations=["Tanh", "Sigmoid"])


class SequenceClassifier(nn.Module):
    """A recurrent layer (or stack) and a Linear head on the last step's output."""

    def __init__(self, rnn, batch_first, bidirectional):
        super().__init__()
        self.rnn, self.batch_first = rnn, batch_first
        self.head = nn.Linear(rnn.hidden_size * (2 if bidirectional else 1), 3)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y[:, -1] if self.batch_first else y[-1])


class StateClassifier(nn.Module):
    """A GRU whose final state (h_n of the last layer) feeds the head, as classifiers often read it."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(5, 6, num_layers=2, batch_first=True)
        self.head = nn.Linear(6, 3)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.head(h[-1])


def recurrent_models(export):
    """export(name, model, args, input_names, output_names, dynamic_axes, opset, more=...) as make_onnx_fixtures's."""
    bf = {"x": {0: "batch", 1: "time"}, "y": {0: "batch"}}
    tf = {"x": {0: "time", 1: "batch"}, "y": {0: "batch"}}
    torch.manual_seed(30)
    export("lstm_bi2", SequenceClassifier(nn.LSTM(5, 6, num_layers=2, batch_first=True, bidirectional=True), True, True),
           (torch.randn(3, 7, 5),), ["x"], ["y"], bf, 14, more=[(".len2", (torch.randn(2, 2, 5),))])
    torch.manual_seed(31)
    export("lstm_seq_first", SequenceClassifier(nn.LSTM(5, 6, num_layers=2), False, False),
           (torch.randn(7, 3, 5),), ["x"], ["y"], tf, 13, more=[(".len4", (torch.randn(4, 2, 5),))])
    torch.manual_seed(32)
    export("gru", SequenceClassifier(nn.GRU(5, 6, batch_first=True, bidirectional=True), True, True),
           (torch.randn(3, 7, 5),), ["x"], ["y"], bf, 17)
    torch.manual_seed(33)
    export("gru_state", StateClassifier(), (torch.randn(3, 7, 5),), ["x"], ["y"], bf, 15)
    torch.manual_seed(34)
    export("rnn_tanh", SequenceClassifier(nn.RNN(5, 6, batch_first=True), True, False),
           (torch.randn(3, 7, 5),), ["x"], ["y"], bf, 14)
    torch.manual_seed(35)
    export("rnn_relu", SequenceClassifier(nn.RNN(5, 6, nonlinearity="relu", bidirectional=True), False, True),
           (torch.randn(7, 3, 5),), ["x"], ["y"], tf, 16)
