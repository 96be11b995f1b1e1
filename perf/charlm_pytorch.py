#!/usr/bin/python3
"""PyTorch twin of Javelin's char-GPT main job (examples/.../CharLmMain.java), for perf/NOTES.md.

Same text, alphabet and 90/10 split, the same training and validation windows (splitmix64, as
CharCorpus draws them), the same model (token + learned position embedding, 4 pre-LN blocks of causal
self-attention with 4 heads and a GELU MLP of width 512, width 128, context 128, final LayerNorm,
linear head), the same AdamW (beta2 0.99, weight decay 0.1 except biases and LayerNorm parameters,
global norm clip 1.0) and schedule (linear warm-up over steps/20 to 2e-3, cosine to 10%), batch 32,
same steps and seed. Initial weights are drawn like Keras's defaults (Glorot uniform kernels, zero
biases, uniform(-0.05, 0.05) token embedding) but from PyTorch's generator, so runs differ by init only.

    OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE OPENBLAS_CORETYPE=Cooperlake /usr/bin/python3 perf/charlm_pytorch.py [--steps=600] [--seed=42] [--time-steps=N]

--time-steps=N only times N train steps (median ms per step) and exits: the eager step for the
"char-GPT train step" comparison.
"""
import gzip
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TEXT = os.path.join(ROOT, "examples", "src", "main", "resources", "dev", "javelin", "examples", "charlm",
                    "kjv-genesis-1samuel.txt.gz")
CONTEXT, BATCH, WIDTH, LAYERS, HEADS = 128, 32, 128, 4, 4
PEAK_LR, WEIGHT_DECAY, VAL_WINDOWS = 2e-3, 0.1, 128
MASK64 = (1 << 64) - 1


def splitmix64(x):
    z = (x + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


class Corpus:
    def __init__(self):
        text = gzip.open(TEXT, "rt", encoding="utf-8").read()
        self.alphabet = sorted(set(text))
        index = {c: i for i, c in enumerate(self.alphabet)}
        self.ids = torch.tensor([index[c] for c in text], dtype=torch.long)
        self.train_size = int(len(text) * 0.9)

    def windows(self, train, count, seed, first):
        start0 = 0 if train else self.train_size
        length = (self.train_size if train else len(self.ids) - self.train_size) - CONTEXT - 1
        starts = [start0 + splitmix64((seed + first + i) & MASK64) % length for i in range(count)]
        return torch.stack([self.ids[s:s + CONTEXT + 1] for s in starts])


def glorot(linear):
    nn.init.xavier_uniform_(linear.weight)
    nn.init.zeros_(linear.bias)
    return linear


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(WIDTH, eps=1e-5), nn.LayerNorm(WIDTH, eps=1e-5)
        self.q, self.k, self.v, self.o = (glorot(nn.Linear(WIDTH, WIDTH)) for _ in range(4))
        self.fc1, self.fc2 = glorot(nn.Linear(WIDTH, 4 * WIDTH)), glorot(nn.Linear(4 * WIDTH, WIDTH))

    def forward(self, x):
        b, t, _ = x.shape
        h = self.ln1(x)
        split = lambda y: y.view(b, t, HEADS, WIDTH // HEADS).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        s = q @ k.transpose(-2, -1) / math.sqrt(WIDTH // HEADS)
        s = s.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
        a = (F.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, t, WIDTH)
        x = x + self.o(a)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class CharGpt(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.tok = nn.Embedding(vocab, WIDTH)
        nn.init.uniform_(self.tok.weight, -0.05, 0.05)
        self.pos = nn.Parameter(torch.empty(CONTEXT, WIDTH))
        nn.init.xavier_uniform_(self.pos)
        self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln = nn.LayerNorm(WIDTH, eps=1e-5)
        self.head = glorot(nn.Linear(WIDTH, vocab))

    def forward(self, ids):
        x = self.tok(ids) + self.pos[:ids.shape[1]]
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.ln(x))


def make_optimizer(model, steps):
    decay = [p for n, p in model.named_parameters() if not (n.endswith(".bias") or ".ln" in n or n.startswith("ln."))]
    keep = [p for n, p in model.named_parameters() if n.endswith(".bias") or ".ln" in n or n.startswith("ln.")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": keep, "weight_decay": 0.0}],
                            lr=PEAK_LR, betas=(0.9, 0.99), eps=1e-7)
    warmup = max(1, steps // 20)

    def lr_at(step):  # Keras CosineDecay(0, steps - warmup, alpha=0.1, warmup_target=peak, warmup_steps)
        if step < warmup:
            return PEAK_LR * step / warmup
        p = min(step - warmup, steps - warmup) / max(1, steps - warmup)
        return PEAK_LR * ((1 - 0.1) * 0.5 * (1 + math.cos(math.pi * p)) + 0.1)

    return opt, lr_at


def train_step(model, opt, lr, batch):
    for g in opt.param_groups:
        g["lr"] = lr
    logits = model(batch[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


def main():
    args = dict(a.lstrip("-").split("=") for a in sys.argv[1:])
    steps, seed = int(args.get("steps", 600)), int(args.get("seed", 42))
    torch.manual_seed(seed)
    corpus = Corpus()
    model = CharGpt(len(corpus.alphabet))
    opt, lr_at = make_optimizer(model, steps)
    if "time-steps" in args:
        n = int(args["time-steps"])
        batch = corpus.windows(True, BATCH, seed, 0)
        times = []
        for i in range(n + 3):
            t = time.perf_counter()
            train_step(model, opt, 1e-3, batch)
            times.append((time.perf_counter() - t) * 1e3)
        print(f"pytorch {torch.__version__} eager char-GPT train step (batch {BATCH}x{CONTEXT}, {torch.get_num_threads()} threads): "
              f"median {statistics.median(times[3:]):.1f} ms over {n}")
        return
    val = corpus.windows(False, VAL_WINDOWS, seed ^ 0x5EED, 0)
    start = time.perf_counter()
    chunks = min(5, steps)
    for c in range(chunks):
        lo, hi = steps * c // chunks, steps * (c + 1) // chunks
        windows = corpus.windows(True, (hi - lo) * BATCH, seed, lo * BATCH)
        model.train()
        loss = 0.0  # the chunk's mean, as Keras's fit reports an epoch's loss
        for s in range(lo, hi):
            loss += train_step(model, opt, lr_at(s), windows[(s - lo) * BATCH:(s - lo + 1) * BATCH]) / (hi - lo)
        model.eval()
        with torch.no_grad():
            vl = sum(F.cross_entropy(model(val[i:i + BATCH, :-1]).reshape(-1, len(corpus.alphabet)),
                                     val[i:i + BATCH, 1:].reshape(-1)).item() for i in range(0, VAL_WINDOWS, BATCH))
            vl /= VAL_WINDOWS // BATCH
        print(f"step {hi}/{steps}: train loss {loss / math.log(2):.3f} bits/char, validation loss {vl / math.log(2):.3f} bits/char "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    print(f"validation bits per character: {vl / math.log(2):.3f}")


if __name__ == "__main__":
    main()
