#!/usr/bin/env python3
"""PyTorch eager CPU on the JIT benchmarks' workloads, for perf/NOTES.md's JIT section.

Run by perf/jit-bench.sh in the same session as the JMH benchmarks, at the same thread count:
  OMP_WAIT_POLICY=PASSIVE OPENBLAS_CORETYPE=Cooperlake /usr/bin/python3 perf/jit_torch.py 2
Prints one line per workload: name, median milliseconds over the timed repetitions.
"""
import statistics
import sys

import torch

from torch_timing import call_times_ms


def median_ms(fn, warmup=3, reps=10):
    return statistics.median(call_times_ms(fn, warmup, reps))


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    n = 1 << 24
    x, a, b = (torch.rand(n) * 2 - 1 for _ in range(3))
    print(f"elementwise tanh(x*a+b)*sigmoid(x) 16M  {median_ms(lambda: torch.tanh(x * a + b) * torch.sigmoid(x)):.2f} ms")
    s = torch.rand(4096, 4096) * 8 - 4
    print(f"row softmax 4096x4096                  {median_ms(lambda: torch.softmax(s, dim=1)):.2f} ms")

    def mlp_step(opt_name):
        model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(),
                                    torch.nn.Linear(512, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3) if opt_name == "adam" else torch.optim.SGD(model.parameters(), lr=1e-2)
        xb, yb = torch.rand(128, 784), torch.randint(0, 10, (128,))
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        return median_ms(step, warmup=5, reps=30)

    print(f"MLP 784-512-512-10 train step Adam b128  {mlp_step('adam'):.2f} ms")
    print(f"MLP 784-512-512-10 train step SGD b128   {mlp_step('sgd'):.2f} ms")


if __name__ == "__main__":
    main()
