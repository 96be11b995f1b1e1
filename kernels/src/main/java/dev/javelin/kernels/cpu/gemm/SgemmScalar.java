package dev.javelin.kernels.cpu.gemm;

import dev.javelin.kernels.cpu.CpuThreads;

/**
 * The SGEMM in plain loops, for JVMs without the Vector API and while the packed kernel is still
 * cold ({@link SgemmWarmup}): the same per-element fused multiply-add chain over {@code p = 0..k-1}
 * as {@link SgemmVector}, so both give identical bits. Rows are split over {@link CpuThreads} (a
 * row's result never depends on which thread computed it). The inner loop runs along a contiguous
 * row of B (a strided B is copied into rows first), so C2 vectorizes it once it compiles this class.
 */
final class SgemmScalar {
    /** Rows of C that share each row of B while it is in L1. */
    private static final int ROWS = 8;

    private SgemmScalar() {}

    static void multiply(int m, int n, int k,
                         float[] a, int aOffset, int aRowStride, int aColStride,
                         float[] b, int bOffset, int bRowStride, int bColStride,
                         float[] c, int cOffset, int ldc, boolean accumulate) {
        if (bColStride != 1 && (long) m * n * k > (long) n * k * 4) { // a row-major copy costs a quarter of one row of C
            float[] rows = new float[k * n];
            for (int p = 0; p < k; p++) {
                int bp = bOffset + p * bRowStride;
                for (int j = 0; j < n; j++) rows[p * n + j] = b[bp + j * bColStride];
            }
            b = rows;
            bOffset = 0;
            bRowStride = n;
            bColStride = 1;
        }
        float[] bb = b;
        int bo = bOffset, brs = bRowStride, bcs = bColStride;
        long work = 2L * m * n * k;
        int grain = work < CpuThreads.SMALL_WORK ? m : Math.max(ROWS, (int) Math.min(m, (1L << 20) / Math.max(1L, 2L * n * k)));
        CpuThreads.parallelFor(m, grain, (from, to) -> rows(from, to, n, k, a, aOffset, aRowStride, aColStride, bb, bo, brs, bcs,
                c, cOffset, ldc, accumulate));
    }

    /** Rows {@code [from, to)} of C: p outer over a group of rows, j inner, so a row of B is read from L1 by every row of the group. */
    private static void rows(int from, int to, int n, int k, float[] a, int aOffset, int aRowStride, int aColStride,
                             float[] b, int bo, int brs, int bcs, float[] c, int cOffset, int ldc, boolean accumulate) {
        if (!accumulate) for (int i = from; i < to; i++) java.util.Arrays.fill(c, cOffset + i * ldc, cOffset + i * ldc + n, 0f);
        for (int i0 = from; i0 < to; i0 += ROWS) {
            int i1 = Math.min(to, i0 + ROWS);
            for (int p = 0; p < k; p++) {
                int bp = bo + p * brs;
                for (int i = i0; i < i1; i++) {
                    float av = a[aOffset + i * aRowStride + p * aColStride];
                    int ci = cOffset + i * ldc;
                    if (bcs == 1) {
                        axpy(av, b, bp, c, ci, n);
                    } else {
                        for (int j = 0; j < n; j++) c[ci + j] = Math.fma(av, b[bp + j * bcs], c[ci + j]);
                    }
                }
            }
        }
    }

    /** {@code c[ci + j] = fma(av, b[bp + j], c[ci + j])}: a small method C2 compiles and vectorizes early. */
    private static void axpy(float av, float[] b, int bp, float[] c, int ci, int n) {
        for (int j = 0; j < n; j++) c[ci + j] = Math.fma(av, b[bp + j], c[ci + j]);
    }
}
