package dev.javelin.kernels.cpu.gemm;

import static dev.javelin.kernels.cpu.gemm.SgemmVector.L;
import static dev.javelin.kernels.cpu.gemm.SgemmVector.S;

import dev.javelin.kernels.codegen.RegisterTile;
import dev.javelin.kernels.codegen.RegisterTiles;

/**
 * {@link TileGemm}'s Vector API kernels: blocks of 4 rows × 4 vectors of C (16 accumulators; 64
 * columns on AVX-512, a whole head of 64) while p walks A's scalars (broadcast) and B's rows; single
 * rows (the leftover rows, and {@link Sgemm}'s one-row products) 8 vectors at a time (eight chains in
 * flight hide the FMA latency). Where C is 1 to 4 vectors wide and the ISA has 32 vector registers,
 * rows go 8 at a time, 8 × 2 blocks (each B row loaded once per 8 rows; at the char-GPT's head of 32
 * on one AVX-512 core, 16x32x128 81 -> 87 GFLOP/s, 64x32x64 79 -> 85); likewise the last 1-3 vectors
 * of a wider C (the causal score tiles of 16, 48, 80, 112 keys: perf/NOTES.md, gptattn3).
 *
 * <p>A block's last columns, fewer than its tile's, run as one tile of the fewest vectors (1, 2, 4, 8)
 * that covers them: whole, or as two groups whose second ends at the last column, overlapping the first
 * (C's vectors laid as B's, {@code RegisterTiles.Shape.cGrouped}: a column computed twice is the same
 * chain, so the same value). Less than one vector overlaps columns already done when C is overwritten, or
 * else goes through scalars. No masked vector op (see {@link SgemmVector#TILE} on why).
 */
final class TileGemmVector {
    /** 8 × 2 blocks need 16 accumulators and 3 more registers: only where the ISA has 32 (AVX-512's). */
    private static final boolean EIGHT_ROWS = S.vectorBitSize() >= 512;
    /** {@code PLAIN[rows][vectors][unit]}: C's vectors one run; {@code GROUPED[..]}: two groups, {@code bGroup} apart. */
    private static final RegisterTile[][][] PLAIN = new RegisterTile[9][9][], GROUPED = new RegisterTile[9][9][];

    static {
        for (int rows : new int[] {1, 4, 8}) {
            for (int v = 1; v <= 8 && rows * v <= 16; v *= 2) {
                PLAIN[rows][v] = tiles(rows, v, v, false);
                if (v > 1) GROUPED[rows][v] = tiles(rows, v, v / 2, true);
            }
        }
    }

    private TileGemmVector() {}

    /**
     * A register tile of {@code rows × vectors} over A's strides as given (a tile of attention may be transposed), its
     * indices running (advanced by the strides each step): at the char-GPT's head of 32, one thread, 64x32x128 0.0059 ->
     * 0.0049 ms, 128x32x128 with A transposed 0.0118 -> 0.0098 against the hand-written blocks' {@code start + p·stride}.
     * {@code [1]}, used where A's step is 1, has that step a constant for one row (the index's scale a constant, as C2
     * needs to take A's range checks out of a one-row product's loop, whose B loads are one per FMA).
     */
    private static RegisterTile[] tiles(int rows, int vectors, int group, boolean cGrouped) {
        int arg = RegisterTiles.ARG;
        RegisterTile strided = RegisterTiles.of(new RegisterTiles.Shape(rows, vectors, group, arg, arg, false, true, cGrouped));
        return new RegisterTile[] {strided,
                rows > 1 ? strided : RegisterTiles.of(new RegisterTiles.Shape(rows, vectors, group, arg, 1, false, true, cGrouped))};
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
            for (; i + 8 <= m; i += 8) block(8, 2, n, k, a, ao + i * ars, ars, acs, b, bo, ldb, c, co + i * ldc, ldc, load);
        }
        for (; i + 4 <= m; i += 4) block(4, 4, n, k, a, ao + i * ars, ars, acs, b, bo, ldb, c, co + i * ldc, ldc, load);
        for (; i < m; i++) block(1, 8, n, k, a, ao + i * ars, ars, acs, b, bo, ldb, c, co + i * ldc, ldc, load);
    }

    /** {@code rows} rows of C: tiles of {@code wide} vectors, then the last columns as one tile (see the class comment). */
    private static void block(int rows, int wide, int n, int k, float[] a, int ai, int ars, int acs,
                              float[] b, int bo, int ldb, float[] c, int ci, int ldc, boolean load) {
        int unit = acs == 1 ? 1 : 0, j = 0;
        for (; j + wide * L <= n; j += wide * L) PLAIN[rows][wide][unit].run(k, a, ai, ars, acs, b, bo + j, ldb, 0, c, ci + j, ldc, load);
        int w = n - j, v = 1;
        while (v * L < w) v *= 2;
        if (w == 0) return;
        if (w == v * L) {
            PLAIN[rows][v][unit].run(k, a, ai, ars, acs, b, bo + j, ldb, 0, c, ci + j, ldc, load);
        } else if (v > 1) { // the second group ends at n
            GROUPED[rows][v][unit].run(k, a, ai, ars, acs, b, bo + j, ldb, w - v / 2 * L, c, ci + j, ldc, load);
        } else if (!load && n >= L) { // a partial vector recomputes done columns: only over C
            PLAIN[rows][1][unit].run(k, a, ai, ars, acs, b, bo + n - L, ldb, 0, c, ci + n - L, ldc, false);
        } else {
            for (int r = 0; r < rows; r++) TileGemm.scalarRow(n, j, k, a, ai + r * ars, acs, b, bo, ldb, c, ci + r * ldc, load);
        }
    }
}
