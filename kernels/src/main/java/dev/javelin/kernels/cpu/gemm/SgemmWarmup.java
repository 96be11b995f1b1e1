package dev.javelin.kernels.cpu.gemm;

import dev.javelin.kernels.codegen.WarmupThread;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether the packed GEMM's Vector API micro-kernels may run yet. Until C2 has compiled them they run
 * interpreted or boxed (a fresh JVM's first 128×784·784×512 product took 250-600 ms that way), so
 * {@link Sgemm} runs a process's first products in {@link SgemmScalar} (the same fused multiply-add
 * chain per element, so the same bits) until they add up to {@code COLD_FMAS} multiply-adds (about
 * what warming the packed kernel costs, at the plain loops' 0.4-0.5 ns each), then the packed kernel;
 * a product bigger than what is left of that budget goes to the packed kernel at once, and from then
 * on every product. With {@code -Djavelin.warmup=true} the first plain product also starts a warm-up
 * of each micro-kernel on a scratch tile on the background {@link WarmupThread}, and the packed kernel
 * takes over as soon as it is compiled.
 *
 * <pre>{@code
 * SgemmWarmup.start();          // warm up now
 * boolean hot = SgemmWarmup.warm();
 * }</pre>
 */
public final class SgemmWarmup {
    private static final long MAX_MS = 20_000;
    /**
     * Multiply-adds in plain loops at most, 2^28 (an MLP 784-512-512-10 train step at batch 128 has
     * 2.06e8); {@code -Djavelin.gemm.coldFmas}.
     */
    static final long COLD_FMAS = Long.getLong("javelin.gemm.coldFmas", 1L << 28);
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static long coldFmas;
    private static volatile boolean warm = !Boolean.parseBoolean(System.getProperty("javelin.gemm.coldScalar", "true"));

    private SgemmWarmup() {}

    /** True once the micro-kernels are compiled (or waited for long enough); products then take the packed kernel. */
    public static boolean warm() {
        return warm;
    }

    /**
     * Whether a product of {@code fmas} multiply-adds runs in plain loops: while the packed kernel is
     * not warm and the plain loops' budget has room for it (counting it); otherwise the packed kernel
     * is warm from now on.
     */
    static boolean runPlain(long fmas) {
        if (warm) return false;
        synchronized (SgemmWarmup.class) {
            if (warm) return false;
            if (coldFmas + fmas > COLD_FMAS) {
                warm = true; // same bits either way: switching costs time, never a result
                return false;
            }
            coldFmas += fmas;
        }
        start();
        return true;
    }

    /** Queues the warm-up once (a no-op when it is queued or done, or without the Vector API). */
    public static void start() {
        if (warm || !Sgemm.vectorized() || !STARTED.compareAndSet(false, true)) return;
        int mr = SgemmMicroKernel.MR, nr = SgemmMicroKernel.NR, kc = 4; // short calls: the thresholds count calls
        float[] ap = new float[mr * kc], bp = new float[4 * nr * kc], c = new float[4 * mr * nr];
        java.util.Arrays.fill(ap, 0.5f);
        java.util.Arrays.fill(bp, 0.25f);
        // C2's code: 200-500 ns a call; C1's, which boxes every vector: about 12 us
        long target = 100L * kc + 1000;
        long deadline = System.nanoTime() + MAX_MS * 1_000_000L;
        AtomicInteger left = new AtomicInteger(3);
        Runnable whenWarm = () -> {
            if (left.decrementAndGet() == 0) warm = true; // same bits either way: early costs time, never a result
        };
        // both values of load in turn: a branch C2 never saw taken would deoptimize the compiled
        // kernel on the first real call that takes it, back to the interpreter
        int[] calls = {0};
        String[] names = {"gemm tile", "gemm tile4", "gemm row4Strips"};
        Runnable[] kernels = {
            () -> SgemmMicroKernel.tile(kc, ap, 0, bp, 0, nr, c, 0, nr, (calls[0]++ & 1) == 0),
            () -> SgemmMicroKernel.tile4(kc, ap, 0, bp, 0, nr, c, 0, nr, (calls[0]++ & 1) == 0),
            () -> SgemmMicroKernel.row4Strips(kc, ap, 0, bp, 0, 4 * nr, nr, c, 0, (calls[0]++ & 1) == 0)};
        for (int i = 0; i < kernels.length; i++) WarmupThread.submit(WarmupThread.calls(names[i], kernels[i], target, deadline, whenWarm));
    }
}
