package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.TileGemm;
import dev.javelin.tensor.AttentionLayout;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.Arrays;

/**
 * The float32 ATTENTION forward as a tiled kernel with an online softmax (the FlashAttention idea):
 * for a block of query rows it walks the keys a tile at a time, keeping per row the running maximum
 * {@code m}, the running sum {@code l} of {@code exp(s - m)} and the unnormalized output; when a
 * tile raises the maximum, the old sum and output are rescaled by {@code exp(m_old - m_new)}. Only a
 * (query block)×128 score tile exists at a time, never the Tq×Tk matrix. Each row's logsumexp
 * {@code m + log l} is kept for the backward pass (where: {@link AttentionLayout}, either layout). The rescale factors
 * and logsumexps are the IR's exp and log, one generated call over a tile's rows ({@link AttentionRows#expDiff},
 * {@link AttentionRows#plusLog}: the PTX attention's definitions). A thread transposes a head's keys once for
 * its consecutive query blocks of that head (unless stored so; and copies the values, when their columns are
 * strided), so every tile product is a {@link TileGemm} on the calling thread with nothing repacked per tile;
 * a score row's scale, exp and sum are one generated loop, the rescaling and the division by {@code l} another
 * ({@link AttentionRows}).
 *
 * <p>Work items are (batch entry, query block), each done by one thread in a fixed key order, so the bits do not
 * depend on the thread count, nor a row's bits on how many query rows the call has: a decode step's row is that
 * row of a whole forward, to the bit. (A decode step's keys were once split into chunks merged per row, for
 * cores left idle by a long cache with fewer heads than threads: measured in perf/NOTES.md, attn9's section.)
 */
final class FlashAttention {
    void forward(OpCall call, Tensor out) {
        AttentionScores sc = new AttentionScores(call);
        AttentionLayout layout = AttentionLayout.of(call);
        float[] o = Elementwise.heap(out).floats();
        if (sc.tq == 0 || sc.batch == 0) return;
        int qb = sc.queryBlock, blocks = (sc.tq + qb - 1) / qb;
        long flops = (long) Math.min(qb, sc.tq) * sc.tk * (sc.d + sc.dv);
        CpuThreads.parallelFor(sc.batch * blocks, sc.grain(flops, sc.batch * blocks), (from, to) -> {
            Tile t = new Tile(sc);
            for (int item = from; item < to; item++) {
                int b = item / blocks, q0 = (item % blocks) * qb;
                t.block(b, q0, Math.min(qb, sc.tq - q0), o, layout);
            }
        });
    }

    /**
     * One thread's scratch: a head's transposed keys (and values, when copied), the score tile, the row passes'
     * per-row values and the running m, l and output of a block of query rows.
     */
    private static final class Tile {
        final AttentionScores sc;
        final AttentionRows pass = new AttentionRows();
        final float[] s, acc, m, l, tileMax, sums, alpha, kt, vRows;
        final int[] visible;
        AttentionScores.Rows keys, values;
        int head = -1;

        Tile(AttentionScores sc) {
            this.sc = sc;
            int rows = sc.queryBlock;
            s = new float[rows * AttentionRows.stride(AttentionScores.KEY_BLOCK)];
            acc = new float[rows * sc.dv];
            m = new float[rows];
            l = new float[rows];
            tileMax = new float[rows];
            sums = new float[rows];
            alpha = new float[rows];
            visible = new int[rows];
            kt = sc.k.rowStride() == 1 ? null : new float[AttentionScores.blockedSize(sc.d, sc.tk)];
            vRows = sc.v.colStride() == 1 ? null : new float[sc.tk * sc.dv];
        }

        /** Query rows [q0, q0 + rows) of batch entry b: their output rows {@code acc / l} and logsumexps {@code m + log l}. */
        void block(int b, int q0, int rows, float[] o, AttentionLayout layout) {
            if (b != head) {
                keys = AttentionScores.rows(sc.k.transposed(), b, sc.d, sc.tk, kt, true);
                values = AttentionScores.rows(sc.v, b, sc.tk, sc.dv, vRows, false);
                head = b;
            }
            Arrays.fill(m, 0, rows, Float.NEGATIVE_INFINITY);
            Arrays.fill(l, 0, rows, 0f);
            Arrays.fill(acc, 0, rows * sc.dv, 0f);
            accumulate(b, q0, rows, sc.keyEnd(q0, rows));
            pass.plusLog(m, l, sums, rows); // the logsumexps
            for (int r = 0; r < rows; r++) {
                alpha[r] = m[r] == Float.NEGATIVE_INFINITY || l[r] == 0 ? 0f : 1 / l[r];
                if (alpha[r] == 0f) Arrays.fill(acc, r * sc.dv, (r + 1) * sc.dv, 0f); // a fully masked row's output is 0 whatever v holds
                o[layout.logsumexp(b, q0 + r)] = sums[r]; // -inf for a fully masked row: m + log 0
            }
            pass.scaleRows(acc, sc.dv, alpha, o, layout.outputRow(b, q0), layout.outputRowStride(), rows, sc.dv);
        }

        /** Folds keys [0, kEnd) into the running softmax of query rows [q0, q0+rows). */
        void accumulate(int b, int q0, int rows, int kEnd) {
            float expScale = sc.plain ? sc.scale : 1f;
            for (int k0 = 0; k0 < kEnd; k0 += AttentionScores.KEY_BLOCK) {
                int cols = Math.min(AttentionScores.KEY_BLOCK, kEnd - k0), ld = AttentionRows.stride(cols);
                sc.tile(b, q0, rows, k0, cols, keys, s, ld, visible);
                pass.rowMax(s, rows, ld, visible, tileMax);
                // the new running maximum is each row's shift; -inf: nothing visible yet, the row adds nothing
                for (int r = 0; r < rows; r++) tileMax[r] = Math.max(m[r], tileMax[r] * expScale);
                pass.numerators(s, rows, ld, visible, expScale, tileMax, 0, sums);
                pass.expDiff(m, tileMax, alpha, rows);
                // alpha = exp(-inf) = 0 for a row that saw nothing before (its l and output are 0); 1 while it still sees nothing
                for (int r = 0; r < rows; r++) {
                    if (tileMax[r] == Float.NEGATIVE_INFINITY) alpha[r] = 1f;
                    l[r] = l[r] * alpha[r] + sums[r];
                    m[r] = tileMax[r];
                }
                pass.scaleRows(acc, sc.dv, alpha, acc, 0, sc.dv, rows, sc.dv);
                TileGemm.multiply(rows, sc.dv, cols, s, 0, ld, 1, values.data(), values.at(k0, 0), values.ld(), acc, 0, sc.dv, true);
            }
        }
    }
}
