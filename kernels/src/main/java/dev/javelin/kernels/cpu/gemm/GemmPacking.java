package dev.javelin.kernels.cpu.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of A and B into the panel layouts the micro-kernel streams through, reading the
 * operands through their strides (so a transposed operand costs nothing extra) and padding the
 * last panel with zeros (so edge tiles run the same kernel, with masked stores).
 *
 * <p>An A panel holds {@code mr} rows for {@code kc} steps of k, k-major: {@code [p][r]}. A B panel
 * holds {@code nr} columns for {@code kc} steps, k-major: {@code [p][j]}.
 */
final class GemmPacking {
    /**
     * The species of one A panel step ({@code MR} floats), when the machine's vectors are that wide:
     * a transposed A's step is then one vector load and store (JFR: the scalar copy was 20% of a
     * 512x128x4096 weight gradient). Null where narrower vectors would not be intrinsified.
     */
    private static final VectorSpecies<Float> A_STEP =
            SgemmMicroKernel.S.vectorBitSize() >= SgemmMicroKernel.MR * Float.SIZE
                    ? VectorSpecies.of(float.class, VectorShape.forBitSize(SgemmMicroKernel.MR * Float.SIZE)) : null;
    private static final VectorSpecies<Float> S = SgemmMicroKernel.S;
    private static final int L = SgemmMicroKernel.L;
    private static final int MR = SgemmMicroKernel.MR, NR = SgemmMicroKernel.NR;

    private GemmPacking() {}

    /*
     * The packed driver's entry points: a full panel of a transposed A and a full strip of a row-major
     * B are copied a vector per step; everything else goes to packA / packB. The vector copies stay out
     * of those two methods (each in its own, with its constant species, which C2 needs to intrinsify
     * them): with the copies inside them, a 4096x128x128 product whose packing takes neither branch ran
     * 5% slower (1.33 -> 1.40 ms on one thread).
     */

    /** {@link #packA} for an {@code MR}-row panel. */
    static void packAPanel(float[] a, int aOffset, int aRowStride, int aColStride, int m,
                           int row0, int p0, int kc, float[] dst, int dstOff) {
        if (aRowStride == 1 && aColStride != 1 && A_STEP != null && m - row0 >= MR) {
            copyASteps(a, aOffset + row0 + p0 * aColStride, aColStride, kc, dst, dstOff);
        } else {
            packA(a, aOffset, aRowStride, aColStride, m, row0, MR, p0, kc, dst, dstOff);
        }
    }

    /** {@link #packB} for an {@code NR}-column strip. */
    static void packBStrip(float[] b, int bOffset, int bRowStride, int bColStride, int n,
                           int col0, int p0, int kc, float[] dst, int dstOff) {
        if (bColStride == 1 && n - col0 >= NR) {
            copyBSteps(b, bOffset + p0 * bRowStride + col0, bRowStride, kc, dst, dstOff);
        } else {
            packB(b, bOffset, bRowStride, bColStride, n, col0, NR, p0, kc, dst, dstOff);
        }
    }

    /** {@code kc} A panel steps of {@code MR} floats, {@code stride} apart from {@code src}, to {@code dst[d..]}. */
    private static void copyASteps(float[] a, int src, int stride, int kc, float[] dst, int d) {
        for (int p = 0; p < kc; p++, src += stride, d += MR) FloatVector.fromArray(A_STEP, a, src).intoArray(dst, d);
    }

    /** {@code kc} B strip steps of {@code NR} floats, {@code stride} apart from {@code src}, to {@code dst[d..]}. */
    private static void copyBSteps(float[] b, int src, int stride, int kc, float[] dst, int d) {
        for (int p = 0; p < kc; p++, src += stride, d += NR) {
            FloatVector.fromArray(S, b, src).intoArray(dst, d);
            FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
        }
    }

    /** Packs rows {@code [row0, row0+mr)} (those below {@code m}) and k steps {@code [p0, p0+kc)} of A at {@code dst[dstOff..]}. */
    static void packA(float[] a, int aOffset, int aRowStride, int aColStride, int m,
                      int row0, int mr, int p0, int kc, float[] dst, int dstOff) {
        int rows = Math.min(mr, m - row0);
        if (aRowStride == 1 && aColStride != 1) {
            // A stored transposed (a weight gradient's X^T): each k step's rows are adjacent in memory,
            // so walk k outside and copy the step's rows; row by row read one float per cache line
            // and measured 53 GFLOP/s for the 512x128x4096 product on one thread.
            for (int p = 0, src = aOffset + row0 + p0 * aColStride, d = dstOff; p < kc; p++, src += aColStride, d += mr) {
                for (int r = 0; r < rows; r++) dst[d + r] = a[src + r];
                for (int r = rows; r < mr; r++) dst[d + r] = 0f;
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int src = aOffset + (row0 + r) * aRowStride + p0 * aColStride;
            int d = dstOff + r;
            if (aColStride == 1) {
                for (int p = 0; p < kc; p++, d += mr) dst[d] = a[src + p];
            } else {
                for (int p = 0; p < kc; p++, d += mr, src += aColStride) dst[d] = a[src];
            }
        }
        for (int r = rows; r < mr; r++) {
            for (int p = 0, d = dstOff + r; p < kc; p++, d += mr) dst[d] = 0f;
        }
    }

    /** Packs columns {@code [col0, col0+nr)} (those below {@code n}) and k steps {@code [p0, p0+kc)} of B at {@code dst[dstOff..]}. */
    static void packB(float[] b, int bOffset, int bRowStride, int bColStride, int n,
                      int col0, int nr, int p0, int kc, float[] dst, int dstOff) {
        int cols = Math.min(nr, n - col0);
        if (bColStride == 1) {
            for (int p = 0; p < kc; p++) {
                int d = dstOff + p * nr;
                System.arraycopy(b, bOffset + (p0 + p) * bRowStride + col0, dst, d, cols);
                if (cols < nr) java.util.Arrays.fill(dst, d + cols, d + nr, 0f);
            }
            return;
        }
        // Column-major source (a transposed B): walk each column contiguously when bRowStride == 1.
        for (int j = 0; j < cols; j++) {
            int src = bOffset + p0 * bRowStride + (col0 + j) * bColStride;
            for (int p = 0, d = dstOff + j; p < kc; p++, d += nr, src += bRowStride) dst[d] = b[src];
        }
        for (int j = cols; j < nr; j++) {
            for (int p = 0, d = dstOff + j; p < kc; p++, d += nr) dst[d] = 0f;
        }
    }
}
