package dev.javelin.kernels.cpu.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked FMA micro-kernel: an {@code MR×NR} tile of C ({@code NR} = two vectors of the
 * widest float species, 32 floats on AVX-512) held in {@code 2·MR} vector registers while it walks
 * {@code kc} steps of a packed A panel and a B panel (packed, or read in place from a row-major B).
 *
 * <p>Each C element gets {@code c = fma(a[p], b[p], c)} for p in order, starting from the stored C
 * when {@code load} and from 0 otherwise; edge tiles run the same arithmetic and store through masks.
 */
final class SgemmMicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 8;
    static final int NR = 2 * L;

    private SgemmMicroKernel() {}

    /**
     * @param ap   packed A panel ({@code [p][MR]} from {@code ai})
     * @param bArr B panel: {@code NR} floats per step from {@code bi}, steps {@code bStep} apart
     * @param rows valid rows of the tile (1..MR); cols valid columns (1..NR)
     */
    static void tile(int kc, float[] ap, int ai, float[] bArr, int bi, int bStep,
                     float[] c, int ci, int ldc, int rows, int cols, boolean load) {
        boolean full = rows == MR && cols == NR;
        VectorMask<Float> m0 = S.indexInRange(0, cols), m1 = S.indexInRange(L, cols);
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        if (load) {
            if (full) {
                c00 = FloatVector.fromArray(S, c, ci);               c01 = FloatVector.fromArray(S, c, ci + L);
                c10 = FloatVector.fromArray(S, c, ci + ldc);         c11 = FloatVector.fromArray(S, c, ci + ldc + L);
                c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);     c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
                c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);     c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
                c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);     c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
                c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);     c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
                c60 = FloatVector.fromArray(S, c, ci + 6 * ldc);     c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
                c70 = FloatVector.fromArray(S, c, ci + 7 * ldc);     c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
            } else {
                c00 = loadRow(c, ci, 0, rows, ldc, 0, m0);     c01 = loadRow(c, ci, 0, rows, ldc, L, m1);
                c10 = loadRow(c, ci, 1, rows, ldc, 0, m0);     c11 = loadRow(c, ci, 1, rows, ldc, L, m1);
                c20 = loadRow(c, ci, 2, rows, ldc, 0, m0);     c21 = loadRow(c, ci, 2, rows, ldc, L, m1);
                c30 = loadRow(c, ci, 3, rows, ldc, 0, m0);     c31 = loadRow(c, ci, 3, rows, ldc, L, m1);
                c40 = loadRow(c, ci, 4, rows, ldc, 0, m0);     c41 = loadRow(c, ci, 4, rows, ldc, L, m1);
                c50 = loadRow(c, ci, 5, rows, ldc, 0, m0);     c51 = loadRow(c, ci, 5, rows, ldc, L, m1);
                c60 = loadRow(c, ci, 6, rows, ldc, 0, m0);     c61 = loadRow(c, ci, 6, rows, ldc, L, m1);
                c70 = loadRow(c, ci, 7, rows, ldc, 0, m0);     c71 = loadRow(c, ci, 7, rows, ldc, L, m1);
            }
        }
        for (int p = 0; p < kc; p++) {
            int ak = ai + p * MR, bk = bi + p * bStep;
            FloatVector b0 = FloatVector.fromArray(S, bArr, bk);
            FloatVector b1 = FloatVector.fromArray(S, bArr, bk + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ak]);     c00 = b0.fma(a, c00); c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(S, ap[ak + 1]); c10 = b0.fma(a, c10); c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(S, ap[ak + 2]); c20 = b0.fma(a, c20); c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(S, ap[ak + 3]); c30 = b0.fma(a, c30); c31 = b1.fma(a, c31);
            a = FloatVector.broadcast(S, ap[ak + 4]); c40 = b0.fma(a, c40); c41 = b1.fma(a, c41);
            a = FloatVector.broadcast(S, ap[ak + 5]); c50 = b0.fma(a, c50); c51 = b1.fma(a, c51);
            a = FloatVector.broadcast(S, ap[ak + 6]); c60 = b0.fma(a, c60); c61 = b1.fma(a, c61);
            a = FloatVector.broadcast(S, ap[ak + 7]); c70 = b0.fma(a, c70); c71 = b1.fma(a, c71);
        }
        if (full) {
            c00.intoArray(c, ci);               c01.intoArray(c, ci + L);
            c10.intoArray(c, ci + ldc);         c11.intoArray(c, ci + ldc + L);
            c20.intoArray(c, ci + 2 * ldc);     c21.intoArray(c, ci + 2 * ldc + L);
            c30.intoArray(c, ci + 3 * ldc);     c31.intoArray(c, ci + 3 * ldc + L);
            c40.intoArray(c, ci + 4 * ldc);     c41.intoArray(c, ci + 4 * ldc + L);
            c50.intoArray(c, ci + 5 * ldc);     c51.intoArray(c, ci + 5 * ldc + L);
            c60.intoArray(c, ci + 6 * ldc);     c61.intoArray(c, ci + 6 * ldc + L);
            c70.intoArray(c, ci + 7 * ldc);     c71.intoArray(c, ci + 7 * ldc + L);
            return;
        }
        storeRow(c00, c01, c, ci, 0, rows, ldc, m0, m1);
        storeRow(c10, c11, c, ci, 1, rows, ldc, m0, m1);
        storeRow(c20, c21, c, ci, 2, rows, ldc, m0, m1);
        storeRow(c30, c31, c, ci, 3, rows, ldc, m0, m1);
        storeRow(c40, c41, c, ci, 4, rows, ldc, m0, m1);
        storeRow(c50, c51, c, ci, 5, rows, ldc, m0, m1);
        storeRow(c60, c61, c, ci, 6, rows, ldc, m0, m1);
        storeRow(c70, c71, c, ci, 7, rows, ldc, m0, m1);
    }

    private static FloatVector loadRow(float[] c, int ci, int r, int rows, int ldc, int col, VectorMask<Float> mask) {
        if (r >= rows) return FloatVector.zero(S);
        return FloatVector.fromArray(S, c, ci + r * ldc + col, mask);
    }

    private static void storeRow(FloatVector v0, FloatVector v1, float[] c, int ci, int r, int rows, int ldc,
                                 VectorMask<Float> m0, VectorMask<Float> m1) {
        if (r >= rows) return;
        v0.intoArray(c, ci + r * ldc, m0);
        v1.intoArray(c, ci + r * ldc + L, m1);
    }

    /** {@link #tile} for 2..4 rows: the same panel layout, half the accumulators. */
    static void tile4(int kc, float[] ap, int ai, float[] bArr, int bi, int bStep,
                      float[] c, int ci, int ldc, int rows, int cols, boolean load) {
        VectorMask<Float> m0 = S.indexInRange(0, cols), m1 = S.indexInRange(L, cols);
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        if (load) {
            c00 = loadRow(c, ci, 0, rows, ldc, 0, m0);     c01 = loadRow(c, ci, 0, rows, ldc, L, m1);
            c10 = loadRow(c, ci, 1, rows, ldc, 0, m0);     c11 = loadRow(c, ci, 1, rows, ldc, L, m1);
            c20 = loadRow(c, ci, 2, rows, ldc, 0, m0);     c21 = loadRow(c, ci, 2, rows, ldc, L, m1);
            c30 = loadRow(c, ci, 3, rows, ldc, 0, m0);     c31 = loadRow(c, ci, 3, rows, ldc, L, m1);
        }
        for (int p = 0; p < kc; p++) {
            int ak = ai + p * MR, bk = bi + p * bStep;
            FloatVector b0 = FloatVector.fromArray(S, bArr, bk);
            FloatVector b1 = FloatVector.fromArray(S, bArr, bk + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ak]);     c00 = b0.fma(a, c00); c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(S, ap[ak + 1]); c10 = b0.fma(a, c10); c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(S, ap[ak + 2]); c20 = b0.fma(a, c20); c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(S, ap[ak + 3]); c30 = b0.fma(a, c30); c31 = b1.fma(a, c31);
        }
        storeRow(c00, c01, c, ci, 0, rows, ldc, m0, m1);
        storeRow(c10, c11, c, ci, 1, rows, ldc, m0, m1);
        storeRow(c20, c21, c, ci, 2, rows, ldc, m0, m1);
        storeRow(c30, c31, c, ci, 3, rows, ldc, m0, m1);
    }

    /**
     * One row of C across four full strips ({@code 4·NR} columns), strip {@code t} of B starting
     * {@code t·stripStride} after {@code bi}: enough independent accumulators to hide FMA latency in
     * a matrix-vector product, where one strip alone would leave the FMA units waiting.
     */
    static void row4Strips(int kc, float[] ap, int ai, float[] bArr, int bi, int bStep, int stripStride,
                           float[] c, int ci, boolean load) {
        int s1 = stripStride, s2 = 2 * stripStride, s3 = 3 * stripStride;
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
        if (load) {
            c0 = FloatVector.fromArray(S, c, ci);          c1 = FloatVector.fromArray(S, c, ci + L);
            c2 = FloatVector.fromArray(S, c, ci + NR);     c3 = FloatVector.fromArray(S, c, ci + NR + L);
            c4 = FloatVector.fromArray(S, c, ci + 2 * NR); c5 = FloatVector.fromArray(S, c, ci + 2 * NR + L);
            c6 = FloatVector.fromArray(S, c, ci + 3 * NR); c7 = FloatVector.fromArray(S, c, ci + 3 * NR + L);
        }
        for (int p = 0; p < kc; p++) {
            int bk = bi + p * bStep;
            FloatVector a = FloatVector.broadcast(S, ap[ai + p * MR]);
            c0 = FloatVector.fromArray(S, bArr, bk).fma(a, c0);
            c1 = FloatVector.fromArray(S, bArr, bk + L).fma(a, c1);
            c2 = FloatVector.fromArray(S, bArr, bk + s1).fma(a, c2);
            c3 = FloatVector.fromArray(S, bArr, bk + s1 + L).fma(a, c3);
            c4 = FloatVector.fromArray(S, bArr, bk + s2).fma(a, c4);
            c5 = FloatVector.fromArray(S, bArr, bk + s2 + L).fma(a, c5);
            c6 = FloatVector.fromArray(S, bArr, bk + s3).fma(a, c6);
            c7 = FloatVector.fromArray(S, bArr, bk + s3 + L).fma(a, c7);
        }
        c0.intoArray(c, ci);          c1.intoArray(c, ci + L);
        c2.intoArray(c, ci + NR);     c3.intoArray(c, ci + NR + L);
        c4.intoArray(c, ci + 2 * NR); c5.intoArray(c, ci + 2 * NR + L);
        c6.intoArray(c, ci + 3 * NR); c7.intoArray(c, ci + 3 * NR + L);
    }
}
