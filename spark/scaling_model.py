#!/usr/bin/env python3
"""The scaling model of spark/README.md: step time on N workers = compute / N + ring all-reduce time + latency.

    all-reduce(N) = 2 (N - 1) / N * gradient bytes / bandwidth      (each link carries that much)
    latency(N)    = 2 (N - 1) * per-hop latency                      (the ring's 2 (N - 1) steps)
    bandwidth     = min(link rate, the ring's measured per-link rate on loopback)

Strong scaling keeps the global batch of the single-process run (the issue's formula, compute / N);
weak scaling keeps each worker's batch (compute stays T1; throughput is N times one worker's),
which is how Horovod and BigDL report their scaling. Figures in: python3 spark/scaling_model.py [ring GB/s]
"""
import sys

MODELS = {  # name: (single-process step seconds at 2 threads, gradient floats)
    "convnet": (0.040, 34_826 + 2 + 2),        # perf/NOTES.md: 2.53 s per 63-step epoch, batch 128
    "char-GPT": (0.3745, 825_662 + 2),         # perf/NOTES.md: compiled train step, batch 32x128
}
LINKS = {"10 Gbit/s": 10e9 / 8, "25 Gbit/s": 25e9 / 8}
HOP_LATENCY = 50e-6  # seconds per ring step: 97 us for the 2 steps of a 4-byte sum on loopback, 2 workers
RING_RATE = 1.6e9    # bytes per second per link: the ring on loopback, 2 workers, 64 MB (AllReduceThroughput)


def step(t1, floats, n, link, ring_rate, weak):
    bytes_ = floats * 4
    bandwidth = min(link, ring_rate)
    allreduce = 2 * (n - 1) / n * bytes_ / bandwidth if n > 1 else 0.0
    latency = 2 * (n - 1) * HOP_LATENCY
    return (t1 if weak else t1 / n) + allreduce + latency


def main():
    ring_rate = float(sys.argv[1]) * 1e9 if len(sys.argv) > 1 else RING_RATE
    ns = [2, 4, 8, 16, 32, 64, 128]
    for weak in (False, True):
        print("weak scaling (per-worker batch fixed): efficiency" if weak else "strong scaling (global batch fixed): speed-up")
        print("| model | link | " + " | ".join(f"N={n}" for n in ns) + " |")
        print("| --- | --- | " + " | ".join("---" for _ in ns) + " |")
        for name, (t1, floats) in MODELS.items():
            for link_name, link in LINKS.items():
                cells = []
                for n in ns:
                    t = step(t1, floats, n, link, ring_rate, weak)
                    cells.append(f"{t1 / t:.0%}" if weak else f"{t1 / t:.1f}")
                print(f"| {name} | {link_name} | " + " | ".join(cells) + " |")
        print()


if __name__ == "__main__":
    main()
