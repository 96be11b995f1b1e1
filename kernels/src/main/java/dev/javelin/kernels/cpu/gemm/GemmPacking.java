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
    /**
     * Lane indexes of the three rounds of an 8x8 transpose by two-vector selects ({@code selectFrom}: 0-7 the first
     * vector's lanes, 8-15 the second's): elements, then pairs, then quads of two rows interleaved.
     */
    private static final FloatVector ELEMENTS_LO, ELEMENTS_HI, PAIRS_LO, PAIRS_HI, QUADS_LO, QUADS_HI;

    static {
        boolean ok = A_STEP != null;
        ELEMENTS_LO = ok ? indexes(0, 8, 1, 9, 2, 10, 3, 11) : null;
        ELEMENTS_HI = ok ? indexes(4, 12, 5, 13, 6, 14, 7, 15) : null;
        PAIRS_LO = ok ? indexes(0, 1, 8, 9, 2, 3, 10, 11) : null;
        PAIRS_HI = ok ? indexes(4, 5, 12, 13, 6, 7, 14, 15) : null;
        QUADS_LO = ok ? indexes(0, 1, 2, 3, 8, 9, 10, 11) : null;
        QUADS_HI = ok ? indexes(4, 5, 6, 7, 12, 13, 14, 15) : null;
    }

    private static FloatVector indexes(float... lanes) {
        return FloatVector.fromArray(A_STEP, lanes, 0);
    }

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

    /**
     * {@link #packAPanel} where a row-major A's full panel is transposed 8 steps at a time in registers
     * ({@link #transposeSteps}). Only the one-round driver's items, packing into L1, use it: there it measured
     * faster (4096x128x512: 5.6-5.8 ms against 6.0-6.3, one thread); in the shared pack round, whose panels go
     * to a buffer in L3, the same copies made 4096x512x128 5% slower.
     */
    static void packAPanelTransposing(float[] a, int aOffset, int aRowStride, int aColStride, int m,
                                      int row0, int p0, int kc, float[] dst, int dstOff) {
        if (aColStride == 1 && aRowStride != 1 && A_STEP != null && m - row0 >= MR) {
            transposeSteps(a, aOffset + row0 * aRowStride + p0, aRowStride, kc, dst, dstOff);
        } else {
            packAPanel(a, aOffset, aRowStride, aColStride, m, row0, p0, kc, dst, dstOff);
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

    /**
     * {@code kc} A panel steps of a row-major A (row r of the panel from {@code src + r·stride}), 8 steps at a time
     * as an 8x8 transpose in registers: 24 two-vector selects for 64 floats, where the scalar copy stored them one
     * by one (a [256, 128] panel set: 10.4 us against 6.9, one thread, in cache; perf/NOTES.md, gptgemm3).
     */
    private static void transposeSteps(float[] a, int src, int stride, int kc, float[] dst, int d) {
        int p = 0;
        for (; p + MR <= kc; p += MR, d += MR * MR) {
            int s = src + p;
            FloatVector v0 = FloatVector.fromArray(A_STEP, a, s), v1 = FloatVector.fromArray(A_STEP, a, s + stride);
            FloatVector v2 = FloatVector.fromArray(A_STEP, a, s + 2 * stride), v3 = FloatVector.fromArray(A_STEP, a, s + 3 * stride);
            FloatVector v4 = FloatVector.fromArray(A_STEP, a, s + 4 * stride), v5 = FloatVector.fromArray(A_STEP, a, s + 5 * stride);
            FloatVector v6 = FloatVector.fromArray(A_STEP, a, s + 6 * stride), v7 = FloatVector.fromArray(A_STEP, a, s + 7 * stride);
            // rows (0,1), (2,3), ...: steps 0-3 and 4-7 of two rows, element by element
            FloatVector e0 = ELEMENTS_LO.selectFrom(v0, v1), e1 = ELEMENTS_HI.selectFrom(v0, v1);
            FloatVector e2 = ELEMENTS_LO.selectFrom(v2, v3), e3 = ELEMENTS_HI.selectFrom(v2, v3);
            FloatVector e4 = ELEMENTS_LO.selectFrom(v4, v5), e5 = ELEMENTS_HI.selectFrom(v4, v5);
            FloatVector e6 = ELEMENTS_LO.selectFrom(v6, v7), e7 = ELEMENTS_HI.selectFrom(v6, v7);
            // rows 0-3 and 4-7: steps (0,1), (2,3), (4,5), (6,7)
            FloatVector q0 = PAIRS_LO.selectFrom(e0, e2), q1 = PAIRS_HI.selectFrom(e0, e2);
            FloatVector q2 = PAIRS_LO.selectFrom(e1, e3), q3 = PAIRS_HI.selectFrom(e1, e3);
            FloatVector q4 = PAIRS_LO.selectFrom(e4, e6), q5 = PAIRS_HI.selectFrom(e4, e6);
            FloatVector q6 = PAIRS_LO.selectFrom(e5, e7), q7 = PAIRS_HI.selectFrom(e5, e7);
            // all 8 rows of one step
            QUADS_LO.selectFrom(q0, q4).intoArray(dst, d);
            QUADS_HI.selectFrom(q0, q4).intoArray(dst, d + MR);
            QUADS_LO.selectFrom(q1, q5).intoArray(dst, d + 2 * MR);
            QUADS_HI.selectFrom(q1, q5).intoArray(dst, d + 3 * MR);
            QUADS_LO.selectFrom(q2, q6).intoArray(dst, d + 4 * MR);
            QUADS_HI.selectFrom(q2, q6).intoArray(dst, d + 5 * MR);
            QUADS_LO.selectFrom(q3, q7).intoArray(dst, d + 6 * MR);
            QUADS_HI.selectFrom(q3, q7).intoArray(dst, d + 7 * MR);
        }
        for (; p < kc; p++, d += MR) {
            for (int r = 0; r < MR; r++) dst[d + r] = a[src + r * stride + p];
        }
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
