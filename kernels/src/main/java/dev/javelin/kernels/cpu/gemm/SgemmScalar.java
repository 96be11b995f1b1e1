package dev.javelin.kernels.cpu.gemm;

import dev.javelin.kernels.cpu.CpuThreads;

/**
 * The SGEMM in plain loops, for JVMs without the Vector API and while the packed kernel is still
 * cold (a process's first products, {@link Sgemm}): the same per-element fused multiply-add chain over {@code p = 0..k-1}
 * as {@link SgemmVector}, so both give identical bits. Rows are split over {@link CpuThreads} (a
 * row's result never depends on which thread computed it). The inner loop runs along a contiguous
 * row of B (a strided B is copied into dense rows first), so C2 vectorizes it once it compiles this class.
 */
final class SgemmScalar {
    /** Rows of C that share each row of B while it is in L1. */
    private static final int ROWS = 8;

    private SgemmScalar() {}

    static void multiply(int m, int n, int k,
                         float[] a, int aOffset, int aRowStride, int aColStride,
                         float[] b, int bOffset, int bRowStride, int bColStride,
                         float[] c, int cOffset, int ldc, boolean accumulate) {
        if (bColStride != 1) { // B's rows copied dense once: each group of rows below then reads a row of B by one arraycopy
            float[] rows = new float[k * n];
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) rows[p * n + j] = b[bOffset + p * bRowStride + j * bColStride];
            }
            b = rows;
            bOffset = 0;
            bRowStride = n;
        }
        float[] bb = b;
        int bo = bOffset, brs = bRowStride;
        long work = 2L * m * n * k;
        int grain = work < CpuThreads.SMALL_WORK ? m : Math.max(ROWS, (int) Math.min(m, (1L << 20) / Math.max(1L, 2L * n * k)));
        CpuThreads.parallelFor(m, grain, (from, to) -> rows(from, to, n, k, a, aOffset, aRowStride, aColStride, bb, bo, brs,
                c, cOffset, ldc, accumulate));
    }

    /**
     * Rows {@code [from, to)} of C, a group of {@link #ROWS} rows at a time: p outer, j inner, so a row
     * of B is read from L1 by every row of the group. The group's rows of C are accumulated in arrays
     * of their own and the row of B is copied to one, all indexed from 0: C2 (JDK 25) vectorizes
     * {@code c[j] = fma(a, b[j], c[j])} only when the load and the store use the same index, since it
     * cannot prove that two offsets into arrays that may be the same do not overlap (0.07 against
     * 0.45-0.58 ns per multiply-add, perf/NOTES.md). Same fma chain per element, so the same bits. B's rows
     * {@code b[bo + p·brs ..]} are contiguous; on the calling thread ({@link TileGemm}'s scalar path).
     */
    static void rows(int from, int to, int n, int k, float[] a, int aOffset, int aRowStride, int aColStride,
                             float[] b, int bo, int brs, float[] c, int cOffset, int ldc, boolean accumulate) {
        float[][] acc = new float[Math.min(ROWS, to - from)][n];
        float[] bRow = new float[n];
        for (int i0 = from; i0 < to; i0 += ROWS) {
            int i1 = Math.min(to, i0 + ROWS);
            for (int i = i0; i < i1; i++) {
                if (accumulate) System.arraycopy(c, cOffset + i * ldc, acc[i - i0], 0, n);
                else java.util.Arrays.fill(acc[i - i0], 0f);
            }
            for (int p = 0; p < k; p++) {
                System.arraycopy(b, bo + p * brs, bRow, 0, n);
                for (int i = i0; i < i1; i++) axpy(a[aOffset + i * aRowStride + p * aColStride], bRow, acc[i - i0], n);
            }
            for (int i = i0; i < i1; i++) System.arraycopy(acc[i - i0], 0, c, cOffset + i * ldc, n);
        }
    }

    /** {@code c[j] = fma(av, b[j], c[j])}: a small method C2 compiles and vectorizes early. */
    private static void axpy(float av, float[] b, float[] c, int n) {
        for (int j = 0; j < n; j++) c[j] = Math.fma(av, b[j], c[j]);
    }
}
