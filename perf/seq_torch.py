#!/usr/bin/python3
"""PyTorch eager CPU on the sequence benchmarks' attention workload, for perf/NOTES.md's sequence section.

    OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE OPENBLAS_CORETYPE=Cooperlake /usr/bin/python3 perf/seq_torch.py 2

Attention forward + backward at batch 4, 8 heads, T = 1024, head size 64, plain and causal, through
PyTorch 1.13's math path (softmax(q·kᵀ/sqrt(d) + mask)·v as separate ops: 1.13 has no public
scaled_dot_product_attention), median of 5 after 2 warm-ups. The char-GPT step is timed by
perf/charlm_pytorch.py --time-steps=N.
"""
import math
import statistics
import sys

import torch

from torch_timing import call_times_ms


def median_ms(fn, warmup=2, reps=5):
    return statistics.median(call_times_ms(fn, warmup, reps))


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    b, h, t, d = 4, 8, 1024, 64
    q, k, v = (torch.randn(b, h, t, d, requires_grad=True) for _ in range(3))
    dy = torch.randn(b, h, t, d)
    causal = torch.ones(t, t, dtype=torch.bool).triu(1)

    def step(is_causal):
        s = q @ k.transpose(-2, -1) / math.sqrt(d)
        if is_causal:
            s = s.masked_fill(causal, float("-inf"))
        y = torch.softmax(s, dim=-1) @ v
        q.grad = k.grad = v.grad = None
        y.backward(dy)

    print(f"# pytorch {torch.__version__} attention fwd+bwd [{b}, {h}, {t}, {d}] math path, {threads} threads, median of 5")
    for is_causal in (False, True):
        print(f"causal={is_causal!s:5} {median_ms(lambda: step(is_causal)):8.1f} ms")


if __name__ == "__main__":
    main()
