"""The timing loop the PyTorch peer scripts share: warm-up calls, then each call's wall time in ms."""
import time


def call_times_ms(fn, warmup, reps):
    """Runs fn warmup times untimed, then reps times; returns each timed call's milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return times
