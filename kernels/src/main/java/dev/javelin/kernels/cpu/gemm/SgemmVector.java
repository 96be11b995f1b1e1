package dev.javelin.kernels.cpu.gemm;

import static dev.javelin.kernels.cpu.gemm.GemmPacking.*; // the scratch slots

import dev.javelin.kernels.codegen.RegisterTile;
import dev.javelin.kernels.codegen.RegisterTiles;
import dev.javelin.kernels.codegen.RegisterTiles.Shape;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.spi.BlockEpilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The blocked SGEMM driver around a register-blocked micro-kernel, in the GotoBLAS/BLIS shape: k is cut
 * into equal blocks of at most {@code KC} steps, A is packed into {@code MR}-row panels and B into
 * {@code NR}-column panels, and {@code MC×NC} blocks of C (work items) are spread over
 * {@link CpuThreads}. An item walks the k blocks in order, so every C element's sum has one fixed
 * order; the split into items depends only on the shape, never on the thread count.
 *
 * <p>The micro-kernel: an {@code MR×NR} tile of C ({@code NR} = two vectors of the widest float species, 32 floats on
 * AVX-512) held in {@code 2·MR} vector registers while it walks {@code kc} steps of a packed A panel and a B panel
 * (packed, or read in place from a row-major B). Each C element gets {@code c = fma(a[p], b[p], c)} for p in order,
 * from the stored C when {@code load} and from 0 otherwise; edge tiles run the same arithmetic on a scratch tile. The
 * tiles are the one generated register tile ({@link RegisterTiles}), with A's strides constants of each: a packed A
 * panel's step is {@code MR} floats, an A read in place steps by 1.
 *
 * <p>An epilogue runs on each item's block of C as the item finishes its last k block, on the item's
 * thread (no round of its own, the block still in L2).
 *
 * <p>Column sums of B (a bias gradient beside its weight gradient) are the row a row of ones appended to A
 * would give: the items of the last row block add each B strip of a k block into them right after their
 * own rows, while the strip is in cache ({@link #SUMS4_STRIPS}: plain adds, the ones'
 * {@code fma(1, b, s)} without an A to read).
 *
 * <p>Two fork-join rounds per call at most (waking the pool costs tens of microseconds, as much as
 * a whole 128×784·784×512 product takes on a thread for each extra round): when B is packed, one
 * round packs A and B for every k block and one computes; when a row-major B is read in place
 * (A has at most {@code DIRECT_B_MAX_M} rows, so packing B would cost a noticeable share of the
 * product), each item packs its own A rows and there is a single round.
 *
 * <p>Cache plan (Zen 4: L1d 32 KiB, L2 1 MiB per core, L3 32 MiB shared): a packed A panel
 * ({@code MR×KC}) stays in L1 while the tile walks the item's B panels, which stay in L2
 * ({@code KC×NC}); an item's C block stays in L2 across the k blocks. Items are numbered row block
 * by row block, so consecutive items reuse their A rows (measured better than column-block order
 * at N = 2048).
 */
final class SgemmVector {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 8;
    static final int NR = 2 * L;

    /**
     * A full {@code MR×NR} tile over a packed A panel ({@code ap[ai + p·MR + r]}): call
     * {@code TILE.run(kc, ap, ai, 1, MR, b, bi, bStep, 0, c, ci, ldc, load)}, B's {@code NR} floats per
     * step from {@code bi}, steps {@code bStep} apart. No masks here, nor anywhere in these tiles: a
     * masked vector op that C2 does not intrinsify made the whole method fall back to boxed vectors,
     * about 40 times slower for the rest of the JVM's life, once an edge tile had run through it. Edge
     * tiles go through {@link #edge}.
     */
    static final RegisterTile TILE = RegisterTiles.of(new Shape(MR, 2, 2, 1, MR, false));
    /** {@link #TILE} for 4 rows: the same panel layout, half the accumulators. */
    static final RegisterTile TILE4 = RegisterTiles.of(new Shape(4, 2, 2, 1, MR, false));
    /**
     * {@link #TILE} with A read in place: row {@code r} of the tile is {@code a[ai + r·lda + p]} (a row-major A,
     * such as a convolution's column tile, {@link SgemmRowMajorTile}). Eight rows are eight sequential streams, each
     * line of them used for 16 steps from L1, so no packing is needed. The same FMA chain per element as {@link #TILE}.
     */
    static final RegisterTile ROWS = RegisterTiles.of(new Shape(MR, 2, 2, RegisterTiles.ARG, 1, false));
    /**
     * One row of C across four full strips ({@code 4·NR} columns), strip {@code t} of B starting
     * {@code t·stripStride} (the {@code bGroup} argument) after {@code bi}: enough independent accumulators to hide
     * FMA latency in a matrix-vector product, where one strip alone would leave the FMA units waiting.
     */
    static final RegisterTile ROW4_STRIPS = RegisterTiles.of(new Shape(1, 8, 2, 1, MR, false));
    /**
     * B's column sums over {@code kc} steps across four full strips (strip {@code t} from {@code bi + t·bGroup}):
     * {@code c[j] = c[j] + b[p][j]} for p in order, from the stored {@code c} when {@code load}, else from 0. The row a
     * row of ones in A gives ({@code fma(1, b, c)} is {@code c + b}, rounded once), without reading the ones.
     */
    static final RegisterTile SUMS4_STRIPS = RegisterTiles.of(new Shape(1, 8, 2, 1, MR, true));
    /** {@link #SUMS4_STRIPS} for one full strip. */
    static final RegisterTile SUMS_STRIP = RegisterTiles.of(new Shape(1, 2, 2, 1, MR, true));

    /**
     * Steps of k per block: one A panel (MR·KC floats, 16 KiB) stays in L1 beside the streaming B.
     * 512 rather than 256 halves how often C is read and written back (measured +2-3% at N = 1024).
     */
    static final int KC = 512;
    /** Rows of C per work item. */
    static final int MC = 64;
    /** Columns of C per work item: its B panels (KC·NC floats, 512 KiB) stay in L2. */
    static final int NC = 256;
    /** Rows, columns and k blocks per outer block, bounding the shared packed buffers (16 MiB each). */
    static final int M_OUTER = 2048, N_OUTER = 2048, K_BLOCKS_OUTER = 4;
    /**
     * Packed A and B of one round stay within this many floats (12 MiB, 3/8 of L3), so the
     * compute round reads them from L3, not from memory: N = 2048 packs one k block per round,
     * N = 1024 both of its blocks at once.
     */
    static final long PACK_FLOATS = 3L << 20;
    /** A row-major B is read in place when A has at most this many rows. */
    static final int DIRECT_B_MAX_M = 256;

    /**
     * B is packed after all, below {@code DIRECT_B_MAX_M} rows, when two or more row blocks would each
     * re-read a B of more than two k blocks whose rows lie a multiple of 1 KiB apart: such rows share a
     * few L1 and L2 sets, so B's block is not kept between the row blocks and every one reads it again
     * from L3, and a tile's B strip does not stay in L1 (a weight gradient {@code xᵀ·dY} over 4096 rows
     * with 1024 columns: 256×1024×4096 took 36.7-44.1 ms of one thread's CPU in place, 28.9 ms packed;
     * perf/NOTES.md, "Recurrent layers, third pass"; the char-GPT's 128×512×4096, two row blocks:
     * 75-78 GFLOP/s in place, 93-96 packed, "Char-GPT train step: the GEMMs").
     */
    private static boolean tallAliasedB(int m, int k, int bRowStride) {
        return m > MC && k > 2 * KC && bRowStride % 256 == 0;
    }

    private SgemmVector() {}

    static void multiply(int m, int n, int k,
                         float[] a, int aOffset, int aRowStride, int aColStride,
                         float[] b, int bOffset, int bRowStride, int bColStride,
                         float[] c, int cOffset, int ldc, boolean accumulate, BlockEpilogue epilogue,
                         float[] sums, int sumsOffset) {
        boolean small = 2L * m * n * k < CpuThreads.SMALL_WORK;
        boolean directB = bColStride == 1 && m <= DIRECT_B_MAX_M && !tallAliasedB(m, k, bRowStride);
        int kStep = SgemmRowMajorTile.kStep(k);
        long packedPerStep = (long) (Math.min(m, M_OUTER) + MR) + (Math.min(n, N_OUTER) + NR);
        int kBlocksPerRound = (int) Math.max(1, Math.min(K_BLOCKS_OUTER, PACK_FLOATS / (packedPerStep * kStep)));
        for (int jc = 0; jc < n; jc += N_OUTER) {
            int nc = Math.min(N_OUTER, n - jc);
            for (int ic = 0; ic < m; ic += M_OUTER) {
                int mc = Math.min(M_OUTER, m - ic);
                for (int k0 = 0; k0 < k; k0 += kBlocksPerRound * kStep) {
                    int k1 = Math.min(k, k0 + kBlocksPerRound * kStep);
                    Block blk = new Block(a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                            c, cOffset, ldc, m, n, ic, mc, jc, nc, k0, k1, kStep, accumulate || k0 > 0,
                            k1 == k ? epilogue : null, ic + mc == m ? sums : null, sumsOffset);
                    float[] ap = directB ? null : scratch(SHARED_A, blk.qBlocks() * blk.panels() * MR * kStep);
                    float[] bp = directB ? null : scratch(SHARED_B, blk.qBlocks() * blk.strips() * NR * kStep);
                    if (!directB) {
                        int jobs = blk.packJobs();
                        CpuThreads.parallelFor(jobs, small ? jobs : Math.max(1, jobs / 32), (from, to) -> blk.pack(ap, bp, from, to));
                    }
                    int items = blk.items();
                    CpuThreads.parallelFor(items, small ? items : 1, (from, to) -> blk.compute(ap, bp, from, to));
                }
            }
        }
    }

    /** One outer block: rows {@code [ic, ic+mc)}, columns {@code [jc, jc+nc)}, k steps {@code [k0, k1)}. */
    private record Block(float[] a, int aOffset, int aRowStride, int aColStride,
                         float[] b, int bOffset, int bRowStride, int bColStride,
                         float[] c, int cOffset, int ldc, int m, int n,
                         int ic, int mc, int jc, int nc, int k0, int k1, int kStep,
                         boolean loadFirst, BlockEpilogue epilogue, float[] sums, int sumsOffset) {

        int panels() { return (mc + MR - 1) / MR; }

        int strips() { return (nc + NR - 1) / NR; }

        int qBlocks() { return (k1 - k0 + kStep - 1) / kStep; }

        int packJobs() { return qBlocks() * (panels() + strips()); }

        int items() { return ((mc + MC - 1) / MC) * ((nc + NC - 1) / NC); }

        /** Job {@code j}: k block {@code j / (panels+strips)}, then an A panel or a B strip of it. */
        void pack(float[] ap, float[] bp, int from, int to) {
            int panels = panels(), strips = strips();
            for (int j = from; j < to; j++) {
                int q = j / (panels + strips), t = j % (panels + strips);
                int pc = k0 + q * kStep, kc = Math.min(kStep, k1 - pc);
                if (t < panels) {
                    GemmPacking.packAPanel(a, aOffset, aRowStride, aColStride, m, ic + t * MR, pc, kc,
                            ap, (q * panels + t) * MR * kStep);
                } else {
                    int s = t - panels;
                    GemmPacking.packBStrip(b, bOffset, bRowStride, bColStride, n, jc + s * NR, pc, kc,
                            bp, (q * strips + s) * NR * kStep);
                }
            }
        }

        /**
         * Items {@code [from, to)}, each its block of C (rows {@code [r0, r1)}, strips {@code [s0, s1)}) over the k blocks in
         * order: over A and B packed by {@link #pack} ({@code ap}, {@code bp}), or, when they are null, over B read in place,
         * the item packing its own A rows (and B's last, partial strip) per k block. The block is final after the last k
         * round: its epilogue runs then, on the item's thread, while the block is in L2.
         */
        void compute(float[] ap, float[] bp, int from, int to) {
            int panels = panels(), strips = strips(), colBlocks = (nc + NC - 1) / NC, fullStrips = nc / NR;
            for (int item = from; item < to; item++) {
                int r0 = (item / colBlocks) * MC, r1 = Math.min(mc, r0 + MC);
                int s0 = (item % colBlocks) * (NC / NR), s1 = Math.min(strips, s0 + NC / NR);
                float[] own = bp == null ? scratch(ITEM_A, ((r1 - r0 + MR - 1) / MR) * MR * kStep) : null;
                float[] edge = bp == null && s1 > fullStrips ? scratch(ITEM_EDGE, NR * kStep) : null;
                for (int q = 0, pc = k0; pc < k1; q++, pc += kStep) {
                    int kc = Math.min(kStep, k1 - pc), bFirst = q * strips * NR * kStep;
                    boolean load = loadFirst || q > 0;
                    if (bp != null) {
                        kBlock(r0, r1, s0, s1, kc, load, ap, (q * panels + r0 / MR) * MR * kStep, kStep,
                                bp, bFirst, NR * kStep, NR, bp, bFirst + fullStrips * NR * kStep);
                        continue;
                    }
                    for (int r = r0; r < r1; r += MR) {
                        GemmPacking.packAPanel(a, aOffset, aRowStride, aColStride, m, ic + r, pc, kc, own, ((r - r0) / MR) * MR * kc);
                    }
                    if (edge != null) GemmPacking.pack(b, bOffset, bColStride, bRowStride, n, jc + fullStrips * NR, NR, pc, kc, edge, 0);
                    kBlock(r0, r1, s0, s1, kc, load, own, 0, kc, b, bOffset + pc * bRowStride + jc, NR, bRowStride, edge, 0);
                }
                if (epilogue != null) epilogue.apply(ic + r0, r1 - r0, jc + s0 * NR, Math.min(nc, s1 * NR) - s0 * NR);
            }
        }

        /**
         * One k block ({@code kc} steps) of an item: its rows {@code [r0, r1)} over its strips {@code [s0, s1)}, then, in
         * the last row block, B's column sums. The A panel of rows r is at {@code ap[aFirst + ((r - r0) / MR)·MR·aSteps]};
         * B's full strip s at {@code bArr[bFirst + s·bStrip]}, steps {@code bStep} apart (so four strips are one row
         * tile); B's partial last strip at {@code edge[edgeAt..]}, {@code NR} floats a step, zero-padded.
         */
        private void kBlock(int r0, int r1, int s0, int s1, int kc, boolean load, float[] ap, int aFirst, int aSteps,
                            float[] bArr, int bFirst, int bStrip, int bStep, float[] edge, int edgeAt) {
            int full = Math.min(s1, nc / NR);
            for (int r = r0; r < r1; r += MR) {
                int rows = Math.min(MR, mc - r), ai = aFirst + ((r - r0) / MR) * MR * aSteps, ci = cOffset + (ic + r) * ldc + jc;
                int s = s0;
                if (rows == 1) {
                    for (; s + 4 <= full; s += 4) {
                        ROW4_STRIPS.run(kc, ap, ai, 1, MR, bArr, bFirst + s * bStrip, bStep, bStrip, c, ci + s * NR, 0, load);
                    }
                }
                for (; s < full; s++) tile(kc, ap, ai, bArr, bFirst + s * bStrip, bStep, c, ci + s * NR, ldc, rows, NR, load);
                if (s < s1) tile(kc, ap, ai, edge, edgeAt, NR, c, ci + s * NR, ldc, rows, nc - s * NR, load);
            }
            if (sums == null || r1 != mc) return;
            int s = s0;
            for (; s + 4 <= full; s += 4) {
                SUMS4_STRIPS.run(kc, null, 0, 0, 0, bArr, bFirst + s * bStrip, bStep, bStrip, sums, sumsOffset + jc + s * NR, 0, load);
            }
            for (; s < full; s++) stripSums(kc, bArr, bFirst + s * bStrip, bStep, NR, load, sumsOffset + jc + s * NR);
            if (s < s1) stripSums(kc, edge, edgeAt, NR, nc - s * NR, load, sumsOffset + jc + s * NR);
        }

        /**
         * B's strip at {@code bArr[bi..]} ({@code cols} of its {@code NR} columns valid, zero-padded beyond when packed),
         * summed over {@code kc} steps into {@code sums[si..]}; a partial strip through the thread's scratch row.
         */
        private void stripSums(int kc, float[] bArr, int bi, int bStep, int cols, boolean load, int si) {
            if (cols == NR) {
                SUMS_STRIP.run(kc, null, 0, 0, 0, bArr, bi, bStep, 0, sums, si, 0, load);
                return;
            }
            float[] row = scratch(EDGE_TILE, MR * NR);
            java.util.Arrays.fill(row, 0, NR, 0f);
            if (load) System.arraycopy(sums, si, row, 0, cols);
            SUMS_STRIP.run(kc, null, 0, 0, 0, bArr, bi, bStep, 0, row, 0, 0, true);
            System.arraycopy(row, 0, sums, si, cols);
        }
    }

    /**
     * A tile of {@code rows ≤ MR} rows and {@code cols ≤ NR} columns over a packed A panel: {@link #TILE} (or {@link #TILE4}
     * for exactly 4 rows) where it fits, else an edge tile: the valid part of C is copied into the thread's scratch tile
     * ({@code MR×NR}, zeros elsewhere), a full tile runs there (A and B panels are zero-padded, so reading past the edge
     * is safe), and the valid part is copied back. The same FMA chain per element either way, so the same bits.
     */
    static void tile(int kc, float[] ap, int ai, float[] bArr, int bi, int bStep, float[] c, int ci, int ldc,
                     int rows, int cols, boolean load) {
        if (cols == NR && rows == MR) {
            TILE.run(kc, ap, ai, 1, MR, bArr, bi, bStep, 0, c, ci, ldc, load);
        } else if (cols == NR && rows == 4) {
            TILE4.run(kc, ap, ai, 1, MR, bArr, bi, bStep, 0, c, ci, ldc, load);
        } else {
            float[] scratch = scratch(EDGE_TILE, MR * NR);
            java.util.Arrays.fill(scratch, 0, MR * NR, 0f);
            if (load) {
                for (int r = 0; r < rows; r++) System.arraycopy(c, ci + r * ldc, scratch, r * NR, cols);
            }
            (rows > 4 ? TILE : TILE4).run(kc, ap, ai, 1, MR, bArr, bi, bStep, 0, scratch, 0, NR, true);
            for (int r = 0; r < rows; r++) System.arraycopy(scratch, r * NR, c, ci + r * ldc, cols);
        }
    }
}
