package dev.javelin.kernels.cpu.gemm;

import dev.javelin.kernels.codegen.RegisterTile;
import dev.javelin.kernels.codegen.RegisterTiles;
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

    private static final RegisterTile B8X2 = tile(8, 2), B8X1 = tile(8, 1), B4X4 = tile(4, 4), B4X2 = tile(4, 2), B4X1 = tile(4, 1);
    private static final RegisterTile B1X4 = tile(1, 4), B1X1 = tile(1, 1);

    private TileGemmVector() {}

    /**
     * A register tile of {@code rows × vectors} over A's strides as given (a tile of attention may be transposed), its
     * indices running (advanced by the strides each step): at the char-GPT's head of 32, one thread, 64x32x128 0.0059 ->
     * 0.0049 ms, 128x32x128 with A transposed 0.0118 -> 0.0098 against the hand-written blocks' {@code start + p·stride}.
     */
    private static RegisterTile tile(int rows, int vectors) {
        return RegisterTiles.of(new RegisterTiles.Shape(rows, vectors, vectors, RegisterTiles.ARG, RegisterTiles.ARG, false, true));
    }

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
                for (; j + 2 * L <= n; j += 2 * L) B8X2.run(k, a, ai, ars, acs, b, bo + j, ldb, 0, c, ci + j, ldc, load);
                for (; j + L <= n; j += L) B8X1.run(k, a, ai, ars, acs, b, bo + j, ldb, 0, c, ci + j, ldc, load);
                if (j < n) {
                    for (int r = 0; r < 8; r++) TileGemm.scalarRow(n, j, k, a, ai + r * ars, acs, b, bo, ldb, c, ci + r * ldc, load);
                }
            }
        }
        for (; i + 4 <= m; i += 4) {
            int ai = ao + i * ars, ci = co + i * ldc, j = 0;
            for (; j + 4 * L <= n; j += 4 * L) B4X4.run(k, a, ai, ars, acs, b, bo + j, ldb, 0, c, ci + j, ldc, load);
            for (; j + 2 * L <= n; j += 2 * L) B4X2.run(k, a, ai, ars, acs, b, bo + j, ldb, 0, c, ci + j, ldc, load);
            for (; j + L <= n; j += L) B4X1.run(k, a, ai, ars, acs, b, bo + j, ldb, 0, c, ci + j, ldc, load);
            if (j < n) {
                for (int r = 0; r < 4; r++) TileGemm.scalarRow(n, j, k, a, ai + r * ars, acs, b, bo, ldb, c, ci + r * ldc, load);
            }
        }
        for (; i < m; i++) {
            int ai = ao + i * ars, ci = co + i * ldc, j = 0;
            for (; j + 4 * L <= n; j += 4 * L) B1X4.run(k, a, ai, ars, acs, b, bo + j, ldb, 0, c, ci + j, ldc, load);
            for (; j + L <= n; j += L) B1X1.run(k, a, ai, ars, acs, b, bo + j, ldb, 0, c, ci + j, ldc, load);
            if (j < n) TileGemm.scalarRow(n, j, k, a, ai, acs, b, bo, ldb, c, ci, load);
        }
    }
}
