package dev.javelin.kernels.cpu.gemm;

/**
 * Whether one Vector API micro-kernel runs as C2-compiled code yet. Until C2 compiles it, a Vector
 * API method runs its boxed Java fallback (interpreted, then C1-compiled), one to two orders of
 * magnitude slower than scalar code: the first 128x784·784x512 product of a fresh JVM took 600 ms
 * that way against 94 ms for a scalar loop. So while a kernel is cold, {@link SgemmMicroKernel}
 * runs only the first {@link #PROBE_STEPS} k steps of each tile through it (the calls that get it
 * compiled) and the rest through {@link SgemmColdTile}; it turns hot, for good, once a probe runs
 * at compiled speed. Both paths give the same bits, so the switch changes only time.
 *
 * <p>Threads share the flag without locking: it only ever goes from cold to hot (tests aside).
 */
final class VectorWarmth {
    /**
     * k steps per probe. Longer probes get the kernel compiled sooner (C2 counts loop iterations
     * as well as calls) but cost more while it is cold; 16 of a 392-step tile was the middle ground
     * measured (hot after about ten 128x784·784x512 products, the first one 150 instead of 600 ms).
     */
    static final int PROBE_STEPS = 16;
    /**
     * Compiled, a tile step (two loads, {@code MR} broadcasts, {@code 2·MR} FMAs) takes a few ns;
     * the boxed fallback takes microseconds (it allocates for every vector op), so one probe under
     * this proves compiled code: a preempted probe can only look slower, never faster.
     */
    private static final long HOT_NANOS_PER_STEP = 60;

    private final String kernel;
    private volatile boolean hot, pinned;

    VectorWarmth(String kernel) {
        this.kernel = kernel;
    }

    boolean hot() {
        return hot;
    }

    /** How many of a cold tile's {@code kc} steps to run as a probe: all of a short tile, so a kernel only ever given short tiles still warms. */
    static int probeSteps(int kc) {
        return Math.min(kc, PROBE_STEPS);
    }

    /**
     * Records one probe of {@code steps} k steps that took {@code nanos}. Short probes are judged
     * as 8 steps: loading and storing the tile and reading the clock cost tens of ns even compiled.
     */
    void probed(int steps, long nanos) {
        if (!pinned && nanos < HOT_NANOS_PER_STEP * Math.max(steps, 8)) hot = true;
    }

    /** Tests only: holds the state at {@code hot} until {@link #unpin}, so both paths can be compared in one JVM. */
    void pin(boolean hot) {
        pinned = true;
        this.hot = hot;
    }

    /** Tests only: back to measuring, from the state {@code hot}. */
    void unpin(boolean hot) {
        pinned = false;
        this.hot = hot;
    }

    @Override
    public String toString() {
        return kernel + (hot ? " (hot)" : " (cold)");
    }
}
