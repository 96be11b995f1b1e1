#!/usr/bin/python3
"""Writes the PyTorch reference for Javelin's MultiHeadAttention (the Java tests need no Python).

Run from the repository root with the system's PyTorch (Debian's python3-torch):
    /usr/bin/python3 test-support/src/test/python/make_attention_fixtures.py

Output: highlevel/src/test/resources/fixtures/attention.json. Each case holds nn.MultiheadAttention's
weights converted to Keras's layout (the conversion MultiHeadAttention's Javadoc documents):
    query/kernel = Wq.T.reshape(E, H, E/H), query/bias = bq.reshape(H, E/H)   (likewise key, value)
    attention_output/kernel = out_proj.weight.T.reshape(H, E/H, E), attention_output/bias = out_proj.bias
the inputs, the boolean mask in Keras's sense (true = may attend: PyTorch's attn_mask negated), the
output, the upstream gradient "dy" and the gradients of sum(out * dy) with respect to the inputs and
to every converted weight. float64 throughout, so the only differences are Javelin's float32 math.
"""
import json
import os

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
OUT = os.path.join(ROOT, "highlevel", "src", "test", "resources", "fixtures")

torch.manual_seed(2024)


def enc(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bool:
        return {"shape": list(t.shape), "dtype": "bool", "data": [bool(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "dtype": "float32", "data": [float("%.9g" % v) for v in t.reshape(-1).tolist()]}


def rnd(*shape):
    """Uniform [-1, 1) rounded to 3 decimals, so float32 parses them back exactly."""
    return torch.round((torch.rand(*shape, dtype=torch.float64) * 2 - 1) * 1000) / 1000


def case(name, batch, tq, tk, embed, heads, mask_kind):
    mha = torch.nn.MultiheadAttention(embed, heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():  # rounded weights too, so both sides start from the same float32 values
        for p in mha.parameters():
            p.copy_(rnd(*p.shape) * 0.5)
    q, k, v = rnd(batch, tq, embed), rnd(batch, tk, embed), rnd(batch, tk, embed)
    allowed = torch.ones(batch, tq, tk, dtype=torch.bool)
    if mask_kind == "causal":
        allowed = torch.tril(torch.ones(tq, tk, dtype=torch.bool)).expand(batch, tq, tk).clone()
    elif mask_kind == "padding":  # entry b hides its last b + 1 keys
        for b in range(batch):
            allowed[b, :, tk - b - 1:] = False
    for t in (q, k, v):
        t.requires_grad_(True)
    attn_mask = None
    if mask_kind != "none":  # PyTorch: true = hidden, one [T, S] mask per (batch, head)
        attn_mask = (~allowed).repeat_interleave(heads, dim=0)
    out, _ = mha(q, k, v, attn_mask=attn_mask, need_weights=False)
    dy = rnd(*out.shape)
    (out * dy).sum().backward()
    d = embed // heads
    wq, wk, wv = mha.in_proj_weight.chunk(3, 0)
    bq, bk, bv = mha.in_proj_bias.chunk(3, 0)
    gwq, gwk, gwv = mha.in_proj_weight.grad.chunk(3, 0)
    gbq, gbk, gbv = mha.in_proj_bias.grad.chunk(3, 0)
    keras = lambda w: w.t().reshape(embed, heads, d)
    c = {"name": name, "num_heads": heads, "key_dim": d, "causal": mask_kind == "causal",
         "query": enc(q), "key": enc(k), "value": enc(v), "mask": enc(allowed), "out": enc(out), "dy": enc(dy),
         "grad_query": enc(q.grad), "grad_key": enc(k.grad), "grad_value": enc(v.grad)}
    weights = {"query/kernel": (keras(wq), keras(gwq)), "query/bias": (bq.reshape(heads, d), gbq.reshape(heads, d)),
               "key/kernel": (keras(wk), keras(gwk)), "key/bias": (bk.reshape(heads, d), gbk.reshape(heads, d)),
               "value/kernel": (keras(wv), keras(gwv)), "value/bias": (bv.reshape(heads, d), gbv.reshape(heads, d)),
               "attention_output/kernel": (mha.out_proj.weight.t().reshape(heads, d, embed),
                                           mha.out_proj.weight.grad.t().reshape(heads, d, embed)),
               "attention_output/bias": (mha.out_proj.bias, mha.out_proj.bias.grad)}
    for key, (w, g) in weights.items():
        c["w:" + key] = enc(w)
        c["g:" + key] = enc(g)
    return c


def main():
    cases = [case("self_attention_2_heads", 2, 5, 5, 8, 2, "none"),
             case("cross_attention_padding_mask", 2, 4, 7, 12, 3, "padding"),
             case("causal_self_attention_1_head", 1, 6, 6, 4, 1, "causal")]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "attention.json"), "w") as f:
        json.dump({"generator": "test-support/src/test/python/make_attention_fixtures.py", "torch": torch.__version__,
                   "cases": cases}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
