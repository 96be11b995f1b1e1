package dev.javelin.kernels.cpu.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked FMA micro-kernel: an {@code MR×NR} tile of C ({@code NR} = two vectors of the
 * widest float species, 32 floats on AVX-512) held in {@code 2·MR} vector registers while it walks
 * {@code kc} steps of a packed A panel and a B panel (packed, or read in place from a row-major B).
 *
 * <p>Each C element gets {@code c = fma(a[p], b[p], c)} for p in order, starting from the stored C
 * when {@code load} and from 0 otherwise; edge tiles run the same arithmetic on a scratch tile.
 */
public final class SgemmMicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    public static final int MR = 8;
    public static final int NR = 2 * L;

    private SgemmMicroKernel() {}

    /**
     * A full {@code MR×NR} tile. No masks here, nor anywhere in this class: a masked vector op that
     * C2 does not intrinsify made the whole method fall back to boxed vectors, about 40 times slower
     * for the rest of the JVM's life, once an edge tile had run through it. Edge tiles go through
     * {@link #edge}.
     *
     * @param ap   packed A panel ({@code [p][MR]} from {@code ai})
     * @param bArr B panel: {@code NR} floats per step from {@code bi}, steps {@code bStep} apart
     */
    static void tile(int kc, float[] ap, int ai, float[] bArr, int bi, int bStep,
                     float[] c, int ci, int ldc, boolean load) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci);               c01 = FloatVector.fromArray(S, c, ci + L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);         c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);     c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);     c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);     c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);     c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, ci + 6 * ldc);     c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, ci + 7 * ldc);     c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
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
        c00.intoArray(c, ci);               c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);         c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);     c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);     c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);     c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);     c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);     c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);     c71.intoArray(c, ci + 7 * ldc + L);
    }

    /**
     * {@link #tile} with A read in place instead of from a packed panel: row {@code r} of the tile is
     * {@code a[ai + r·lda + p]} (a row-major A, such as a convolution's column tile). Eight rows are
     * eight sequential streams, each line of them used for 16 steps from L1, so no packing is needed.
     * The same FMA chain per element as {@link #tile}, so the same bits. The {@code segments} runs of
     * {@code kc} steps continue one chain: run s reads A from {@code ai + s·aSegment} and B from
     * {@code bi + s·bSegment} (a convolution's patch rows, read from the padded image: {@code PaddedInputConv}).
     */
    public static void tileRows(int segments, int aSegment, int bSegment, int kc, float[] a, int ai, int lda,
                                float[] bArr, int bi, int bStep, float[] c, int ci, int ldc, boolean load) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci);               c01 = FloatVector.fromArray(S, c, ci + L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);         c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);     c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);     c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);     c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);     c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, ci + 6 * ldc);     c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, ci + 7 * ldc);     c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
        }
        for (int seg = 0; seg < segments; seg++) {
            int a0 = ai + seg * aSegment, a1 = a0 + lda, a2 = a0 + 2 * lda, a3 = a0 + 3 * lda;
            int a4 = a0 + 4 * lda, a5 = a0 + 5 * lda, a6 = a0 + 6 * lda, a7 = a0 + 7 * lda, b = bi + seg * bSegment;
            for (int p = 0; p < kc; p++) {
                int bk = b + p * bStep;
                FloatVector b0 = FloatVector.fromArray(S, bArr, bk);
                FloatVector b1 = FloatVector.fromArray(S, bArr, bk + L);
                FloatVector v;
                v = FloatVector.broadcast(S, a[a0 + p]); c00 = b0.fma(v, c00); c01 = b1.fma(v, c01);
                v = FloatVector.broadcast(S, a[a1 + p]); c10 = b0.fma(v, c10); c11 = b1.fma(v, c11);
                v = FloatVector.broadcast(S, a[a2 + p]); c20 = b0.fma(v, c20); c21 = b1.fma(v, c21);
                v = FloatVector.broadcast(S, a[a3 + p]); c30 = b0.fma(v, c30); c31 = b1.fma(v, c31);
                v = FloatVector.broadcast(S, a[a4 + p]); c40 = b0.fma(v, c40); c41 = b1.fma(v, c41);
                v = FloatVector.broadcast(S, a[a5 + p]); c50 = b0.fma(v, c50); c51 = b1.fma(v, c51);
                v = FloatVector.broadcast(S, a[a6 + p]); c60 = b0.fma(v, c60); c61 = b1.fma(v, c61);
                v = FloatVector.broadcast(S, a[a7 + p]); c70 = b0.fma(v, c70); c71 = b1.fma(v, c71);
            }
        }
        c00.intoArray(c, ci);               c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);         c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);     c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);     c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);     c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);     c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);     c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);     c71.intoArray(c, ci + 7 * ldc + L);
    }

    /**
     * An edge tile ({@code rows ≤ MR} valid rows, {@code cols ≤ NR} valid columns): the valid part
     * of C is copied into {@code scratch} ({@code MR×NR}, zeros elsewhere), a full tile runs there
     * (A and B panels are zero-padded, so reading past the edge is safe), and the valid part is
     * copied back. The same FMA chain per element as a full tile, so the same bits.
     */
    static void edge(int kc, float[] ap, int ai, float[] bArr, int bi, int bStep,
                     float[] c, int ci, int ldc, int rows, int cols, boolean load, float[] scratch) {
        java.util.Arrays.fill(scratch, 0, MR * NR, 0f);
        if (load) {
            for (int r = 0; r < rows; r++) System.arraycopy(c, ci + r * ldc, scratch, r * NR, cols);
        }
        if (rows > 4) tile(kc, ap, ai, bArr, bi, bStep, scratch, 0, NR, true);
        else tile4(kc, ap, ai, bArr, bi, bStep, scratch, 0, NR, true);
        for (int r = 0; r < rows; r++) System.arraycopy(scratch, r * NR, c, ci + r * ldc, cols);
    }

    /** {@link #tile} for 4 rows: the same panel layout, half the accumulators. */
    static void tile4(int kc, float[] ap, int ai, float[] bArr, int bi, int bStep,
                      float[] c, int ci, int ldc, boolean load) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        if (load) {
            c00 = FloatVector.fromArray(S, c, ci);               c01 = FloatVector.fromArray(S, c, ci + L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);         c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);     c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);     c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
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
        c00.intoArray(c, ci);               c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);         c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);     c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);     c31.intoArray(c, ci + 3 * ldc + L);
    }

    /**
     * B's column sums over {@code kc} steps across four full strips (strip {@code t} from {@code bi + t·stripStride}):
     * {@code c[j] = c[j] + b[p][j]} for p in order, from the stored {@code c} when {@code load}, else from 0. The row a
     * row of ones in A gives ({@code fma(1, b, c)} is {@code c + b}, rounded once), without reading the ones.
     */
    static void sums4Strips(int kc, float[] bArr, int bi, int bStep, int stripStride, float[] c, int ci, boolean load) {
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
            c0 = c0.add(FloatVector.fromArray(S, bArr, bk));
            c1 = c1.add(FloatVector.fromArray(S, bArr, bk + L));
            c2 = c2.add(FloatVector.fromArray(S, bArr, bk + s1));
            c3 = c3.add(FloatVector.fromArray(S, bArr, bk + s1 + L));
            c4 = c4.add(FloatVector.fromArray(S, bArr, bk + s2));
            c5 = c5.add(FloatVector.fromArray(S, bArr, bk + s2 + L));
            c6 = c6.add(FloatVector.fromArray(S, bArr, bk + s3));
            c7 = c7.add(FloatVector.fromArray(S, bArr, bk + s3 + L));
        }
        c0.intoArray(c, ci);          c1.intoArray(c, ci + L);
        c2.intoArray(c, ci + NR);     c3.intoArray(c, ci + NR + L);
        c4.intoArray(c, ci + 2 * NR); c5.intoArray(c, ci + 2 * NR + L);
        c6.intoArray(c, ci + 3 * NR); c7.intoArray(c, ci + 3 * NR + L);
    }

    /** {@link #sums4Strips} for one full strip. */
    static void sumsStrip(int kc, float[] bArr, int bi, int bStep, float[] c, int ci, boolean load) {
        FloatVector c0 = load ? FloatVector.fromArray(S, c, ci) : FloatVector.zero(S);
        FloatVector c1 = load ? FloatVector.fromArray(S, c, ci + L) : FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bk = bi + p * bStep;
            c0 = c0.add(FloatVector.fromArray(S, bArr, bk));
            c1 = c1.add(FloatVector.fromArray(S, bArr, bk + L));
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + L);
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
