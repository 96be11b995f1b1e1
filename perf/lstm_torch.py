#!/usr/bin/python3
"""PyTorch eager CPU on the 2-layer LSTM train step of perf/javelin's LstmTrainStep (issue 13).

Same model: LSTM(features -> units, 2 layers, batch first) -> last step -> Linear(units, 10),
cross-entropy from logits, Adam 1e-3; one optimizer step per call on a fixed random batch.
    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 perf/lstm_torch.py T=64 units=256 batch=64 threads=2 calls=10
With cuda=1 the same step on the GPU (synchronized; TF32 off, as Javelin's FP32 GEMM), for perf/gpu-check.sh.
Prints the first call and the median of the next calls in milliseconds, and the process CPU time
per call (steadier than the wall clock on a loaded host; with OMP_WAIT_POLICY=PASSIVE it counts no spinning).
"""
import statistics
import sys
import time

import torch
import torch.nn as nn


def main():
    cfg = {"T": 64, "units": 256, "batch": 64, "features": 32, "threads": 2, "calls": 10, "cuda": 0}
    for a in sys.argv[1:]:
        k, v = a.split("=", 1)
        cfg[k] = int(v)
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(1)
    lstm = nn.LSTM(cfg["features"], cfg["units"], num_layers=2, batch_first=True)
    head = nn.Linear(cfg["units"], 10)
    params = list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    x = torch.randn(cfg["batch"], cfg["T"], cfg["features"])
    y = torch.arange(cfg["batch"]) % 10
    sync = lambda: None
    if cfg["cuda"]:
        if not torch.cuda.is_available():
            print("lstm_torch: cuda=1 but torch sees no CUDA device; nothing measured")
            return
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        lstm, head, x, y = lstm.cuda(), head.cuda(), x.cuda(), y.cuda()
        params = list(lstm.parameters()) + list(head.parameters())
        opt = torch.optim.Adam(params, lr=1e-3)
        sync = torch.cuda.synchronize

    def step():
        opt.zero_grad()
        out, _ = lstm(x)
        loss = nn.functional.cross_entropy(head(out[:, -1]), y)
        loss.backward()
        opt.step()
        return loss.item()

    t = time.perf_counter()
    step()
    sync()
    first = (time.perf_counter() - t) * 1e3
    times = []
    cpu0 = time.process_time()
    for _ in range(cfg["calls"]):
        t = time.perf_counter()
        loss = step()
        sync()
        times.append((time.perf_counter() - t) * 1e3)
    cpu = (time.process_time() - cpu0) * 1e3 / max(1, cfg["calls"])
    print(("torch cuda " if cfg["cuda"] else "torch ") + "lstm T=%d units=%d batch=%d features=%d threads=%d: first call %.1f ms; next calls median %.1f ms (process CPU %.1f ms per call); loss %.4f"
          % (cfg["T"], cfg["units"], cfg["batch"], cfg["features"], cfg["threads"], first, statistics.median(times), cpu, loss))


if __name__ == "__main__":
    main()
