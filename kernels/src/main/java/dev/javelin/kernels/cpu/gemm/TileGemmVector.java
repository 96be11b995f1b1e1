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
 * Single rows (the leftover rows, and {@link Sgemv}'s one-row products) go 8 vectors, then 4, at a time (eight
 * chains in flight hide the FMA latency), then their last 1-4 vectors' worth of columns as one tile of two or four
 * vectors whose last group ends at the last column, overlapping the group before it (the same chain for a column
 * computed twice, so the same value); less than a vector overlaps columns already done when C is overwritten, else
 * goes through scalars.
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
    /**
     * One row's tiles, {@code [0]} with A's step an argument, {@code [1]} with A's step a constant 1 (a contiguous row: the
     * index's scale a constant, as C2 needs to take A's range checks out of a one-row product's loop, whose B loads are
     * one per FMA): 8, 4 and 1 vectors, and the last columns as two groups of 1 or 2 vectors ({@code bGroup} apart).
     */
    private static final RegisterTile[] ROW8 = row(8, 8, false), ROW4 = row(4, 4, false), ROW1 = row(1, 1, false),
            LAST2 = row(2, 1, true), LAST4 = row(4, 2, true);

    private TileGemmVector() {}

    /**
     * A register tile of {@code rows × vectors} over A's strides as given (a tile of attention may be transposed), its
     * indices running (advanced by the strides each step): at the char-GPT's head of 32, one thread, 64x32x128 0.0059 ->
     * 0.0049 ms, 128x32x128 with A transposed 0.0118 -> 0.0098 against the hand-written blocks' {@code start + p·stride}.
     */
    private static RegisterTile tile(int rows, int vectors) {
        return RegisterTiles.of(new RegisterTiles.Shape(rows, vectors, vectors, RegisterTiles.ARG, RegisterTiles.ARG, false, true));
    }

    private static RegisterTile[] row(int vectors, int group, boolean cGrouped) {
        RegisterTile[] tiles = new RegisterTile[2];
        for (int unit = 0; unit < 2; unit++) {
            int acs = unit == 1 ? 1 : RegisterTiles.ARG;
            tiles[unit] = RegisterTiles.of(new RegisterTiles.Shape(1, vectors, group, RegisterTiles.ARG, acs, false, true, cGrouped));
        }
        return tiles;
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
        int unit = acs == 1 ? 1 : 0;
        for (; i < m; i++) {
            int ai = ao + i * ars, ci = co + i * ldc, j = 0;
            for (; j + 8 * L <= n; j += 8 * L) ROW8[unit].run(k, a, ai, ars, acs, b, bo + j, ldb, 0, c, ci + j, ldc, load);
            for (; j + 4 * L <= n; j += 4 * L) ROW4[unit].run(k, a, ai, ars, acs, b, bo + j, ldb, 0, c, ci + j, ldc, load);
            int w = n - j; // < 4 vectors
            if (w > 2 * L) { // two groups of two vectors, the second ending at n
                LAST4[unit].run(k, a, ai, ars, acs, b, bo + j, ldb, w - 2 * L, c, ci + j, ldc, load);
            } else if (w > L) {
                LAST2[unit].run(k, a, ai, ars, acs, b, bo + j, ldb, w - L, c, ci + j, ldc, load);
            } else if (w == L || (w > 0 && !load && n >= L)) { // a partial vector recomputes done columns: only over C
                ROW1[unit].run(k, a, ai, ars, acs, b, bo + n - L, ldb, 0, c, ci + n - L, ldc, load);
            } else if (w > 0) {
                TileGemm.scalarRow(n, j, k, a, ai, acs, b, bo, ldb, c, ci, load);
            }
        }
    }
}
