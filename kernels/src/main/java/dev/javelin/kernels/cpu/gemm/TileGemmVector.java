package dev.javelin.kernels.cpu.gemm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link TileGemm}'s Vector API kernels: blocks of 4 rows × 4 vectors of C (16 accumulators; 64
 * columns on AVX-512, a whole head of 64) while p walks A's scalars (broadcast) and B's rows. Edges
 * take 4 rows × 2 vectors (a head of 32: with 4 × 1 blocks twice over, A's scalars were broadcast
 * twice and four accumulator chains could not hide the FMA latency), 4 rows × 1 vector, 1 row × 4
 * vectors, 1 × 1, then scalar columns; no masked vector op (see {@link SgemmMicroKernel} on why).
 * Where C is 1 to 4 vectors wide and the ISA has 32 vector registers, rows go 8 at a time
 * (8 × 2 blocks, then 8 × 1: each B row loaded once per 8 rows; at the char-GPT's head of 32 on one
 * AVX-512 core, 16x32x128 81 -> 87 GFLOP/s, 64x32x64 79 -> 85); likewise the last 1-3 vectors of a
 * wider C (the causal score tiles of 16, 48, 80, 112 keys: perf/NOTES.md, gptattn3).
 */
final class TileGemmVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** 8 × 2 blocks need 16 accumulators and 3 more registers: only where the ISA has 32 (AVX-512's). */
    private static final boolean EIGHT_ROWS = S.vectorBitSize() >= 512;

    private TileGemmVector() {}

    static void multiply(int m, int n, int k, float[] a, int ao, int ars, int acs,
                         float[] b, int bo, int ldb, float[] c, int co, int ldc, boolean load) {
        int wide = n - n % (4 * L);
        if (EIGHT_ROWS && wide > 0 && n - wide >= L) { // the 4-vector blocks, then the last 1-3 vectors 8 rows at a time
            multiply(m, wide, k, a, ao, ars, acs, b, bo, ldb, c, co, ldc, load);
            multiply(m, n - wide, k, a, ao, ars, acs, b, bo + wide, ldb, c, co + wide, ldc, load);
            return;
        }
        int i = 0;
        if (EIGHT_ROWS && n < 4 * L && n >= L) { // C of 1-4 vectors: 8 rows a block, each B row loaded once per 8 rows
            for (; i + 8 <= m; i += 8) {
                int ai = ao + i * ars, ci = co + i * ldc, j = 0;
                for (; j + 2 * L <= n; j += 2 * L) block8x2(k, a, ai, ars, acs, b, bo + j, ldb, c, ci + j, ldc, load);
                for (; j + L <= n; j += L) block8x1(k, a, ai, ars, acs, b, bo + j, ldb, c, ci + j, ldc, load);
                if (j < n) {
                    for (int r = 0; r < 8; r++) TileGemm.scalarRow(n, j, k, a, ai + r * ars, acs, b, bo, ldb, c, ci + r * ldc, load);
                }
            }
        }
        for (; i + 4 <= m; i += 4) {
            int ai = ao + i * ars, ci = co + i * ldc, j = 0;
            for (; j + 4 * L <= n; j += 4 * L) block4x4(k, a, ai, ars, acs, b, bo + j, ldb, c, ci + j, ldc, load);
            for (; j + 2 * L <= n; j += 2 * L) block4x2(k, a, ai, ars, acs, b, bo + j, ldb, c, ci + j, ldc, load);
            for (; j + L <= n; j += L) block4x1(k, a, ai, ars, acs, b, bo + j, ldb, c, ci + j, ldc, load);
            if (j < n) {
                for (int r = 0; r < 4; r++) TileGemm.scalarRow(n, j, k, a, ai + r * ars, acs, b, bo, ldb, c, ci + r * ldc, load);
            }
        }
        for (; i < m; i++) {
            int ai = ao + i * ars, ci = co + i * ldc, j = 0;
            for (; j + 4 * L <= n; j += 4 * L) block1x4(k, a, ai, acs, b, bo + j, ldb, c, ci + j, load);
            for (; j + L <= n; j += L) block1x1(k, a, ai, acs, b, bo + j, ldb, c, ci + j, load);
            if (j < n) TileGemm.scalarRow(n, j, k, a, ai, acs, b, bo, ldb, c, ci, load);
        }
    }

    private static FloatVector start(float[] c, int ci, boolean load) {
        return load ? FloatVector.fromArray(S, c, ci) : FloatVector.zero(S);
    }

    private static void block4x4(int k, float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb,
                                 float[] c, int ci, int ldc, boolean load) {
        int c1 = ci + ldc, c2 = ci + 2 * ldc, c3 = ci + 3 * ldc;
        FloatVector x00 = start(c, ci, load), x01 = start(c, ci + L, load), x02 = start(c, ci + 2 * L, load), x03 = start(c, ci + 3 * L, load);
        FloatVector x10 = start(c, c1, load), x11 = start(c, c1 + L, load), x12 = start(c, c1 + 2 * L, load), x13 = start(c, c1 + 3 * L, load);
        FloatVector x20 = start(c, c2, load), x21 = start(c, c2 + L, load), x22 = start(c, c2 + 2 * L, load), x23 = start(c, c2 + 3 * L, load);
        FloatVector x30 = start(c, c3, load), x31 = start(c, c3 + L, load), x32 = start(c, c3 + 2 * L, load), x33 = start(c, c3 + 3 * L, load);
        int r1 = ars, r2 = 2 * ars, r3 = 3 * ars;
        for (int p = 0; p < k; p++) {
            int bp = bi + p * ldb, ap = ai + p * acs;
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L), b3 = FloatVector.fromArray(S, b, bp + 3 * L);
            FloatVector v;
            v = FloatVector.broadcast(S, a[ap]);      x00 = b0.fma(v, x00); x01 = b1.fma(v, x01); x02 = b2.fma(v, x02); x03 = b3.fma(v, x03);
            v = FloatVector.broadcast(S, a[ap + r1]); x10 = b0.fma(v, x10); x11 = b1.fma(v, x11); x12 = b2.fma(v, x12); x13 = b3.fma(v, x13);
            v = FloatVector.broadcast(S, a[ap + r2]); x20 = b0.fma(v, x20); x21 = b1.fma(v, x21); x22 = b2.fma(v, x22); x23 = b3.fma(v, x23);
            v = FloatVector.broadcast(S, a[ap + r3]); x30 = b0.fma(v, x30); x31 = b1.fma(v, x31); x32 = b2.fma(v, x32); x33 = b3.fma(v, x33);
        }
        x00.intoArray(c, ci); x01.intoArray(c, ci + L); x02.intoArray(c, ci + 2 * L); x03.intoArray(c, ci + 3 * L);
        x10.intoArray(c, c1); x11.intoArray(c, c1 + L); x12.intoArray(c, c1 + 2 * L); x13.intoArray(c, c1 + 3 * L);
        x20.intoArray(c, c2); x21.intoArray(c, c2 + L); x22.intoArray(c, c2 + 2 * L); x23.intoArray(c, c2 + 3 * L);
        x30.intoArray(c, c3); x31.intoArray(c, c3 + L); x32.intoArray(c, c3 + 2 * L); x33.intoArray(c, c3 + 3 * L);
    }

    private static void block4x2(int k, float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb,
                                 float[] c, int ci, int ldc, boolean load) {
        int c1 = ci + ldc, c2 = ci + 2 * ldc, c3 = ci + 3 * ldc, r1 = ars, r2 = 2 * ars, r3 = 3 * ars;
        FloatVector x00 = start(c, ci, load), x01 = start(c, ci + L, load), x10 = start(c, c1, load), x11 = start(c, c1 + L, load);
        FloatVector x20 = start(c, c2, load), x21 = start(c, c2 + L, load), x30 = start(c, c3, load), x31 = start(c, c3 + L, load);
        for (int p = 0; p < k; p++) {
            int bp = bi + p * ldb, ap = ai + p * acs;
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector v;
            v = FloatVector.broadcast(S, a[ap]);      x00 = b0.fma(v, x00); x01 = b1.fma(v, x01);
            v = FloatVector.broadcast(S, a[ap + r1]); x10 = b0.fma(v, x10); x11 = b1.fma(v, x11);
            v = FloatVector.broadcast(S, a[ap + r2]); x20 = b0.fma(v, x20); x21 = b1.fma(v, x21);
            v = FloatVector.broadcast(S, a[ap + r3]); x30 = b0.fma(v, x30); x31 = b1.fma(v, x31);
        }
        x00.intoArray(c, ci); x01.intoArray(c, ci + L); x10.intoArray(c, c1); x11.intoArray(c, c1 + L);
        x20.intoArray(c, c2); x21.intoArray(c, c2 + L); x30.intoArray(c, c3); x31.intoArray(c, c3 + L);
    }

    private static void block8x2(int k, float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb,
                                 float[] c, int ci, int ldc, boolean load) {
        int c1 = ci + ldc, c2 = ci + 2 * ldc, c3 = ci + 3 * ldc, c4 = ci + 4 * ldc, c5 = ci + 5 * ldc, c6 = ci + 6 * ldc, c7 = ci + 7 * ldc;
        FloatVector x00 = start(c, ci, load), x01 = start(c, ci + L, load), x10 = start(c, c1, load), x11 = start(c, c1 + L, load);
        FloatVector x20 = start(c, c2, load), x21 = start(c, c2 + L, load), x30 = start(c, c3, load), x31 = start(c, c3 + L, load);
        FloatVector x40 = start(c, c4, load), x41 = start(c, c4 + L, load), x50 = start(c, c5, load), x51 = start(c, c5 + L, load);
        FloatVector x60 = start(c, c6, load), x61 = start(c, c6 + L, load), x70 = start(c, c7, load), x71 = start(c, c7 + L, load);
        for (int p = 0; p < k; p++) {
            int bp = bi + p * ldb, ap = ai + p * acs;
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector v;
            v = FloatVector.broadcast(S, a[ap]);           x00 = b0.fma(v, x00); x01 = b1.fma(v, x01);
            v = FloatVector.broadcast(S, a[ap + ars]);     x10 = b0.fma(v, x10); x11 = b1.fma(v, x11);
            v = FloatVector.broadcast(S, a[ap + 2 * ars]); x20 = b0.fma(v, x20); x21 = b1.fma(v, x21);
            v = FloatVector.broadcast(S, a[ap + 3 * ars]); x30 = b0.fma(v, x30); x31 = b1.fma(v, x31);
            v = FloatVector.broadcast(S, a[ap + 4 * ars]); x40 = b0.fma(v, x40); x41 = b1.fma(v, x41);
            v = FloatVector.broadcast(S, a[ap + 5 * ars]); x50 = b0.fma(v, x50); x51 = b1.fma(v, x51);
            v = FloatVector.broadcast(S, a[ap + 6 * ars]); x60 = b0.fma(v, x60); x61 = b1.fma(v, x61);
            v = FloatVector.broadcast(S, a[ap + 7 * ars]); x70 = b0.fma(v, x70); x71 = b1.fma(v, x71);
        }
        x00.intoArray(c, ci); x01.intoArray(c, ci + L); x10.intoArray(c, c1); x11.intoArray(c, c1 + L);
        x20.intoArray(c, c2); x21.intoArray(c, c2 + L); x30.intoArray(c, c3); x31.intoArray(c, c3 + L);
        x40.intoArray(c, c4); x41.intoArray(c, c4 + L); x50.intoArray(c, c5); x51.intoArray(c, c5 + L);
        x60.intoArray(c, c6); x61.intoArray(c, c6 + L); x70.intoArray(c, c7); x71.intoArray(c, c7 + L);
    }

    private static void block4x1(int k, float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb,
                                 float[] c, int ci, int ldc, boolean load) {
        int c1 = ci + ldc, c2 = ci + 2 * ldc, c3 = ci + 3 * ldc, r1 = ars, r2 = 2 * ars, r3 = 3 * ars;
        FloatVector x0 = start(c, ci, load), x1 = start(c, c1, load), x2 = start(c, c2, load), x3 = start(c, c3, load);
        for (int p = 0; p < k; p++) {
            int ap = ai + p * acs;
            FloatVector b0 = FloatVector.fromArray(S, b, bi + p * ldb);
            x0 = b0.fma(FloatVector.broadcast(S, a[ap]), x0);
            x1 = b0.fma(FloatVector.broadcast(S, a[ap + r1]), x1);
            x2 = b0.fma(FloatVector.broadcast(S, a[ap + r2]), x2);
            x3 = b0.fma(FloatVector.broadcast(S, a[ap + r3]), x3);
        }
        x0.intoArray(c, ci); x1.intoArray(c, c1); x2.intoArray(c, c2); x3.intoArray(c, c3);
    }

    private static void block8x1(int k, float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb,
                                 float[] c, int ci, int ldc, boolean load) {
        FloatVector x0 = start(c, ci, load), x1 = start(c, ci + ldc, load), x2 = start(c, ci + 2 * ldc, load), x3 = start(c, ci + 3 * ldc, load);
        FloatVector x4 = start(c, ci + 4 * ldc, load), x5 = start(c, ci + 5 * ldc, load), x6 = start(c, ci + 6 * ldc, load);
        FloatVector x7 = start(c, ci + 7 * ldc, load);
        for (int p = 0; p < k; p++) {
            int ap = ai + p * acs;
            FloatVector b0 = FloatVector.fromArray(S, b, bi + p * ldb);
            x0 = b0.fma(FloatVector.broadcast(S, a[ap]), x0);
            x1 = b0.fma(FloatVector.broadcast(S, a[ap + ars]), x1);
            x2 = b0.fma(FloatVector.broadcast(S, a[ap + 2 * ars]), x2);
            x3 = b0.fma(FloatVector.broadcast(S, a[ap + 3 * ars]), x3);
            x4 = b0.fma(FloatVector.broadcast(S, a[ap + 4 * ars]), x4);
            x5 = b0.fma(FloatVector.broadcast(S, a[ap + 5 * ars]), x5);
            x6 = b0.fma(FloatVector.broadcast(S, a[ap + 6 * ars]), x6);
            x7 = b0.fma(FloatVector.broadcast(S, a[ap + 7 * ars]), x7);
        }
        x0.intoArray(c, ci); x1.intoArray(c, ci + ldc); x2.intoArray(c, ci + 2 * ldc); x3.intoArray(c, ci + 3 * ldc);
        x4.intoArray(c, ci + 4 * ldc); x5.intoArray(c, ci + 5 * ldc); x6.intoArray(c, ci + 6 * ldc); x7.intoArray(c, ci + 7 * ldc);
    }

    private static void block1x4(int k, float[] a, int ai, int acs, float[] b, int bi, int ldb, float[] c, int ci, boolean load) {
        FloatVector x0 = start(c, ci, load), x1 = start(c, ci + L, load), x2 = start(c, ci + 2 * L, load), x3 = start(c, ci + 3 * L, load);
        for (int p = 0; p < k; p++) {
            int bp = bi + p * ldb;
            FloatVector v = FloatVector.broadcast(S, a[ai + p * acs]);
            x0 = FloatVector.fromArray(S, b, bp).fma(v, x0);
            x1 = FloatVector.fromArray(S, b, bp + L).fma(v, x1);
            x2 = FloatVector.fromArray(S, b, bp + 2 * L).fma(v, x2);
            x3 = FloatVector.fromArray(S, b, bp + 3 * L).fma(v, x3);
        }
        x0.intoArray(c, ci); x1.intoArray(c, ci + L); x2.intoArray(c, ci + 2 * L); x3.intoArray(c, ci + 3 * L);
    }

    private static void block1x1(int k, float[] a, int ai, int acs, float[] b, int bi, int ldb, float[] c, int ci, boolean load) {
        FloatVector x = start(c, ci, load);
        for (int p = 0; p < k; p++) x = FloatVector.fromArray(S, b, bi + p * ldb).fma(FloatVector.broadcast(S, a[ai + p * acs]), x);
        x.intoArray(c, ci);
    }
}
