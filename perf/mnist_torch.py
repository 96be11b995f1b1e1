"""The main job's MNIST convnet in PyTorch eager: the peer for the convnet epoch time (issue 18).

Same model as dev.javelin.examples.MnistMain's convnet (Keras's "simple MNIST convnet": conv 3x3x32
relu, max-pool 2, conv 3x3x64 relu, max-pool 2, flatten, dropout 0.5, dense 10 softmax; 34,826
parameters), same data (the vendored 10,000-digit subset: first 8,000 train, last 2,000 test, pixels
/ 255), Adam 1e-3, batch 128, shuffled each epoch. Prints the seconds of each epoch and the test
accuracy. Run with Debian's PyTorch 1.13 at the thread count Javelin uses:

    OMP_NUM_THREADS=2 OPENBLAS_CORETYPE=Cooperlake /usr/bin/python3 perf/mnist_torch.py [epochs] [threads]
"""
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = os.path.join(os.path.dirname(__file__), "..", "mnist-data", "src", "main", "resources",
                    "dev", "javelin", "highlevel", "data", "mnist-10k")


def load():
    with gzip.open(os.path.join(DATA, "images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(DATA, "labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    return (x[:8000], y[:8000]), (x[8000:], y[8000:])


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.dropout = nn.Dropout(0.5)
        self.dense = nn.Linear(64 * 5 * 5, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.dense(self.dropout(torch.flatten(x, 1)))


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    (xtr, ytr), (xte, yte) = load()
    model = ConvNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for epoch in range(epochs):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(xtr))
        for i in range(0, len(xtr), 128):
            idx = order[i:i + 128]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}: {times[-1]:.2f} s, loss {loss.item():.4f}", flush=True)
    model.eval()
    with torch.no_grad():
        accuracy = (model(xte).argmax(1) == yte).float().mean().item()
    print(f"pytorch {torch.__version__}, {threads} threads: {sum(times) / len(times):.2f} s per epoch "
          f"(epochs 2+: {sum(times[1:]) / max(1, len(times) - 1):.2f} s); test accuracy: {accuracy:.4f}")


if __name__ == "__main__":
    main()
