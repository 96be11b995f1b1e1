package dev.javelin.kernels.cpu.gemm;

/**
 * Whether the packed GEMM's Vector API micro-kernels may run yet. Until C2 has compiled them they run
 * interpreted or boxed (a fresh JVM's first 128×784·784×512 product took 250-600 ms that way), so
 * {@link Sgemm} runs a process's first products in {@link SgemmScalar} (the same fused multiply-add
 * chain per element, so the same bits) until they add up to {@code COLD_FMAS} multiply-adds, then the
 * packed kernel; a product bigger than what is left of that budget goes to the packed kernel at once,
 * and from then on every product. {@code -Djavelin.gemm.coldScalar=false} runs the packed kernel from
 * the first product.
 *
 * <pre>{@code
 * boolean packed = SgemmTiers.packed();   // false in a fresh JVM, true once the budget is spent
 * }</pre>
 */
public final class SgemmTiers {
    /**
     * Multiply-adds in plain loops at most, 2^28 (an MLP 784-512-512-10 train step at batch 128 has
     * 2.06e8); {@code -Djavelin.gemm.coldFmas}.
     */
    static final long COLD_FMAS = Long.getLong("javelin.gemm.coldFmas", 1L << 28);
    private static long coldFmas;
    private static volatile boolean packed = !Boolean.parseBoolean(System.getProperty("javelin.gemm.coldScalar", "true"));

    private SgemmTiers() {}

    /** True once products take the packed kernel (the plain loops' budget is spent, or the cold tier is off). */
    public static boolean packed() {
        return packed;
    }

    /**
     * Whether a product of {@code fmas} multiply-adds runs in plain loops: while the packed kernel is
     * not in use and the plain loops' budget has room for it (counting it); otherwise the packed
     * kernel is used from now on.
     */
    static boolean runPlain(long fmas) {
        if (packed) return false;
        synchronized (SgemmTiers.class) {
            if (packed) return false;
            if (coldFmas + fmas > COLD_FMAS) {
                packed = true; // same bits either way: switching costs time, never a result
                return false;
            }
            coldFmas += fmas;
        }
        return true;
    }
}
