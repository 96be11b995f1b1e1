package dev.javelin.kernels.cpu.gemm;

import static dev.javelin.kernels.cpu.gemm.SgemmVector.MR;
import static dev.javelin.kernels.cpu.gemm.SgemmVector.NR;

/**
 * One tile of a larger product, on the calling thread: {@code C = A·B} with A and B row-major
 * (unit column stride) read in place, no packing (only B's last, partial strip and A's last rows
 * are copied, into zero-padded panels). B's block ({@code KC} steps × n) should fit in L2 beside
 * the A rows: at 512 steps × 256 columns it did not (60 GFLOP/s, 84 at 128 columns; measured). A caller that already cuts the work into
 * cache-sized tiles and spreads them over threads (a convolution's column tiles) uses it instead of
 * {@link Sgemm#multiply}, whose packing of A (one element at a time) and fork-join rounds cost as
 * much as the tile's arithmetic. The same FMA chain per element as {@link Sgemm}, so the same bits.
 *
 * <pre>{@code
 * // rows [r0, r0 + 64) of an im2col matrix times a [K, Cout] filter, into the same rows of out
 * SgemmRowMajorTile.multiply(64, cout, k, col, 0, k, filter, 0, cout, out, r0 * cout, cout);
 * }</pre>
 */
public final class SgemmRowMajorTile {
    private SgemmRowMajorTile() {}

    /**
     * {@code C[i][j] = Σ_p A[i][p]·B[p][j]} for the {@code m×k} A at {@code a[aOff + i·lda + p]}, the
     * {@code k×n} B at {@code b[bOff + p·ldb + j]} and C at {@code c[cOff + i·ldc + j]} (overwritten).
     */
    public static void multiply(int m, int n, int k, float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        if (!Sgemm.vectorized() || k == 0 || (long) m * n * k < 4096) {
            Sgemm.multiply(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, false);
            return;
        }
        int kStep = kStep(k);
        int fullStrips = n / NR, edgeCols = n - fullStrips * NR;
        // the thread's panels for the edge rows and the last, partial column strip
        float[] edgeA = GemmPacking.scratch(GemmPacking.TILE_A, MR * kStep);
        float[] edgeB = edgeCols > 0 ? GemmPacking.scratch(GemmPacking.TILE_B, NR * kStep) : null;
        for (int pc = 0; pc < k; pc += kStep) {
            int kc = Math.min(kStep, k - pc);
            boolean load = pc > 0;
            if (edgeB != null) GemmPacking.pack(b, bOff, 1, ldb, n, fullStrips * NR, NR, pc, kc, edgeB, 0);
            int bRow = bOff + pc * ldb;
            for (int r = 0; r < m; r += MR) {
                int rows = Math.min(MR, m - r), ci = cOff + r * ldc;
                if (rows < MR || edgeB != null) GemmPacking.pack(a, aOff, lda, 1, m, r, MR, pc, kc, edgeA, 0);
                for (int s = 0; s < fullStrips; s++) {
                    if (rows == MR) { // one run through runSegments: this tile's run measured 6-14% slower here (64x64x288)
                        SgemmVector.ROWS.runSegments(1, 0, 0, kc, a, aOff + r * lda + pc, lda, 1, b, bRow + s * NR, ldb, 0, c, ci + s * NR, ldc, load);
                    } else {
                        SgemmVector.tile(kc, edgeA, 0, b, bRow + s * NR, ldb, c, ci + s * NR, ldc, rows, NR, load);
                    }
                }
                if (edgeB != null) SgemmVector.tile(kc, edgeA, 0, edgeB, 0, NR, c, ci + fullStrips * NR, ldc, rows, edgeCols, load);
            }
        }
    }

    /**
     * The k steps per block for a k-long product, here and in the packed kernel: equal blocks of at most 512 (784 = 2 x 392,
     * not 512 + 272: a short last block would pay the C tile loads and stores for little work). It depends on k alone.
     */
    public static int kStep(int k) {
        int kBlocks = Math.max(1, (k + SgemmVector.KC - 1) / SgemmVector.KC);
        return (k + kBlocks - 1) / kBlocks;
    }
}
