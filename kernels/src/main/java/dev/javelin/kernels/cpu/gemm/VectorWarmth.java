package dev.javelin.kernels.cpu.gemm;

/**
 * Whether one Vector API micro-kernel runs as C2-compiled code yet. Until C2 compiles it, a Vector
 * API method runs its boxed Java fallback (interpreted, then C1-compiled), several times slower
 * than scalar code: the first 128x784·784x512 product of a fresh JVM took 600 ms that way against
 * 94 ms for a scalar loop. So while a kernel is cold, {@link SgemmMicroKernel} runs one tile in
 * {@link #PROBE_EVERY} through it, timed (the work that gets it compiled: whole tiles, whose long
 * loops let HotSpot compile it on-stack sooner than many short calls would), and the others through
 * {@link SgemmColdTile}; the kernel is hot, for good, once a probe runs at compiled speed. Both
 * paths give the same bits, so the switch changes only time.
 *
 * <p>Threads share the state without locking: the flag only goes from cold to hot (tests aside),
 * and a lost update of the tile count only moves a probe.
 */
final class VectorWarmth {
    /**
     * One cold tile in this many (a power of two) is a probe. Measured on the MLP train step's first calls in fresh
     * JVMs: 1 (every tile vector, as before) 800-1460 ms first call; 4: 700-780 ms and about 70 ms
     * for the next call; 16: 610-830 ms but 170-470 ms for the next (the kernel stays cold longer).
     */
    static final int PROBE_EVERY = 4;
    /**
     * Compiled, a tile step (two loads, {@code MR} broadcasts, {@code 2·MR} FMAs) takes a few ns;
     * the boxed fallback takes hundreds (it allocates for every vector op), so one probe under this
     * proves compiled code: a preempted probe can only look slower, never faster.
     */
    private static final long HOT_NANOS_PER_STEP = 60;

    private final String kernel;
    private volatile boolean hot, pinned;
    private int coldTiles;

    VectorWarmth(String kernel) {
        this.kernel = kernel;
    }

    boolean hot() {
        return hot;
    }

    /** Whether the next cold tile is a probe (never while pinned: a pinned cold kernel is all scalar). */
    boolean probeNext() {
        return !pinned && (coldTiles++ & (PROBE_EVERY - 1)) == 0;
    }

    /**
     * Records one probe of {@code steps} k steps that took {@code nanos}. Short tiles are judged as
     * 8 steps: loading and storing the tile and reading the clock cost tens of ns even compiled.
     */
    void probed(int steps, long nanos) {
        if (!pinned && nanos < HOT_NANOS_PER_STEP * Math.max(steps, 8)) hot = true;
    }

    /**
     * Tests only: holds the state at {@code hot} until {@link #unpin}, with no probes, so the vector
     * and the scalar path can be compared in one JVM.
     */
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
