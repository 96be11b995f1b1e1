#!/usr/bin/env python3
"""PyTorch CUDA eager on the MLP train step that dev.javelin.highlevel.GpuMlpStep times (784-512-512-10,
ReLU, Adam 1e-3, cross-entropy, batch 128), for perf/NOTES.md's GPU section. Run by perf/gpu-check.sh
on the GPU machine, in the same command as the Javelin figure:
  python3 perf/mlp_cuda_torch.py
Prints one line: the median milliseconds per step over the timed repetitions (synchronized).
Needs torch with CUDA (on the GPU machine); nothing else.
"""
import statistics
import time

import torch


def main():
    if not torch.cuda.is_available():
        print("mlp_cuda_torch: torch sees no CUDA device; nothing measured")
        return
    dev = torch.device("cuda")
    torch.manual_seed(0)
    torch.backends.cuda.matmul.allow_tf32 = False  # Javelin's default GEMM is exact FP32
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 10)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xb, yb = torch.rand(128, 784, device=dev), torch.randint(0, 10, (128,), device=dev)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()

    for _ in range(20):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(200):
        t = time.perf_counter()
        step()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t) * 1e3)
    print(f"torch cuda eager MLP 784-512-512-10 Adam b128 train step: median {statistics.median(times):.3f} ms "
          f"(min {min(times):.3f}) on {torch.cuda.get_device_name(0)}, torch {torch.__version__}")


if __name__ == "__main__":
    main()
