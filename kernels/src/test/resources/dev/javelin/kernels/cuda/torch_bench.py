# PyTorch's side of the comparison in kernels/CUDA.md: SGEMM 4096^3 float32 with TF32 disabled,
# device-to-device copy bandwidth, and the same fused chain in eager PyTorch. Prints one line each.
import sys
import time

import torch

n = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device("cuda:0")
print("device:", torch.cuda.get_device_name(dev))


def bench(f, warmup=3, runs=10):
    for _ in range(warmup):
        f()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(runs):
        f()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / runs


a = torch.randn(n, n, device=dev)
b = torch.randn(n, n, device=dev)
s = bench(lambda: a @ b)
print(f"torch sgemm {n}^3 fp32 (tf32 off): {s * 1e3:.3f} ms, {2 * n ** 3 / s / 1e12:.1f} TFLOP/s")
m = 1 << 26
x, y, z = (torch.randn(m, device=dev) for _ in range(3))
c = bench(lambda: x.clone(), runs=20)
f = bench(lambda: torch.relu(x * y + z) * torch.sigmoid(x), runs=20)
print(f"torch copy: {8 * m / c / 1e9:.1f} GB/s; eager chain (several kernels): {16 * m / f / 1e9:.1f} GB/s effective")
