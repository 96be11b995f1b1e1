#!/usr/bin/python3
"""PyTorch 1.13's math attention path at the char-GPT train step's shape, op by op, for perf/NOTES.md.

    OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 perf/attention_step_torch.py 2

Batch 32, 4 heads, T = 128, head size 32, causal; q, k, v and the output's gradient head-split views of
[B,T,H*D] (as charlm_pytorch.py's model makes them). Times (min and median of 40 after 20 warm-ups) the
whole forward and forward + backward, and each piece alone: the score product, the masked softmax, the
weights·values product, and the backward of each (torch.autograd.grad of that piece alone).
AttentionStepTiming times Javelin's fused op on the same shapes.
"""
import math
import statistics
import sys

import torch

from torch_timing import call_times_ms


def timed(fn, warmup=20, reps=40):
    times = call_times_ms(fn, warmup, reps)
    return min(times), statistics.median(times)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    b, h, t, d = 32, 4, 128, 32

    def split():
        return torch.randn(b, t, h * d).view(b, t, h, d).transpose(1, 2)

    q, k, v, dy = split(), split(), split(), split()
    for x in (q, k, v):
        x.requires_grad_(True)
    mask = torch.ones(t, t, dtype=torch.bool).triu(1)
    scale = 1 / math.sqrt(d)

    def forward():
        s = q @ k.transpose(-2, -1) * scale
        return torch.softmax(s.masked_fill(mask, float("-inf")), dim=-1) @ v

    def step():
        q.grad = k.grad = v.grad = None
        forward().backward(dy)

    with torch.no_grad():
        s0 = q @ k.transpose(-2, -1) * scale
        p0 = torch.softmax(s0.masked_fill(mask, float("-inf")), dim=-1)
    s_in = s0.clone().requires_grad_(True)
    p_in = p0.clone().requires_grad_(True)
    ds = torch.randn(b, h, t, t)

    def scores():
        return q @ k.transpose(-2, -1) * scale

    def softmax():
        return torch.softmax(s_in.masked_fill(mask, float("-inf")), dim=-1)

    def values():
        return p_in @ v

    rows = [
        ("forward", lambda: forward()),
        ("forward+backward", step),
        ("fwd scores q.kT*scale", lambda: scores().detach()),
        ("fwd masked softmax", lambda: softmax().detach()),
        ("fwd p.v", lambda: values().detach()),
    ]
    so, sm, pv = scores(), softmax(), values()
    rows += [
        ("bwd scores (dq, dk)", lambda: torch.autograd.grad(so, (q, k), ds, retain_graph=True)),
        ("bwd masked softmax", lambda: torch.autograd.grad(sm, (s_in,), ds, retain_graph=True)),
        ("bwd p.v (dp, dv)", lambda: torch.autograd.grad(pv, (p_in, v), dy, retain_graph=True)),
    ]
    print(f"# pytorch {torch.__version__} math attention [{b}, {h}, {t}, {d}] causal, {threads} threads, min / median of 40 (ms)")
    for name, fn in rows:
        lo, med = timed(fn)
        print(f"{name:24} {lo:7.2f} {med:7.2f}")


if __name__ == "__main__":
    main()
