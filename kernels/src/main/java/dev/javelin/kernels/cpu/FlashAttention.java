package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.TileGemm;
import dev.javelin.tensor.AttentionLayout;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HostBuffers;
import java.util.Arrays;

/**
 * The float32 ATTENTION forward as a tiled kernel with an online softmax (the FlashAttention idea):
 * for a block of query rows it walks the keys a tile at a time, keeping per row the running maximum
 * {@code m}, the running sum {@code l} of {@code exp(s - m)} and the unnormalized output; when a
 * tile raises the maximum, the old sum and output are rescaled by {@code exp(m_old - m_new)}. Only a
 * (query block)×128 score tile exists at a time, never the Tq×Tk matrix. Each row's logsumexp
 * {@code m + log l} is kept for the backward pass (where: {@link AttentionLayout}, either layout). The rescale factors
 * and logsumexps are the IR's exp and log, one generated call over a tile's rows ({@link AttentionRows#expDiff},
 * {@link AttentionRows#plusLog}: the PTX attention's definitions). The keys are transposed
 * once per call unless stored so (and the values copied, when their columns are strided), O(T·d) memory, so every tile
 * product is a {@link TileGemm} on the calling thread with nothing repacked per tile; a score row's
 * scale, exp and sum are one generated loop ({@link AttentionRows}).
 *
 * <p>Work items are (batch entry, query block), each done by one thread in a fixed key order, so the
 * bits do not depend on the thread count. A decode step (at most {@link #DECODE_ROWS} query rows)
 * would give one item per head and leave cores idle on a long cache, so there the keys are split
 * into chunks of {@link #KEY_SPLIT} computed in parallel and their partial (m, l, output) merged in
 * chunk order, as llama.cpp's CPU path does; the split depends only on the shapes.
 */
final class FlashAttention {
    /** At most this many query rows count as a decode step. */
    static final int DECODE_ROWS = 4;
    /** Keys per parallel chunk of a decode step. */
    static final int KEY_SPLIT = 256;

    void forward(OpCall call, Tensor out) {
        AttentionScores sc = new AttentionScores(call);
        AttentionLayout layout = AttentionLayout.of(call);
        float[] o = Elementwise.heap(out).floats();
        if (sc.tq == 0 || sc.batch == 0) return;
        Operands ops = new Operands(sc);
        int splits = sc.tq <= DECODE_ROWS && sc.tk > KEY_SPLIT ? (sc.tk + KEY_SPLIT - 1) / KEY_SPLIT : 1;
        if (splits > 1) {
            splitKeys(sc, layout, ops, o, splits);
            return;
        }
        int qb = sc.queryBlock;
        int blocks = (sc.tq + qb - 1) / qb;
        long flops = (long) Math.min(qb, sc.tq) * sc.tk * (sc.d + sc.dv);
        CpuThreads.parallelFor(sc.batch * blocks, sc.grain(flops, sc.batch * blocks), (from, to) -> {
            Tile t = new Tile(sc, ops, qb);
            for (int item = from; item < to; item++) {
                int b = item / blocks, q0 = (item % blocks) * qb, rows = Math.min(qb, sc.tq - q0);
                t.reset(rows);
                t.accumulate(b, q0, rows, 0, sc.keyEnd(q0, rows));
                t.pass.plusLog(t.m, t.l, t.lse, rows);
                for (int r = 0; r < rows; r++) {
                    finish(sc, t.m[r], t.l[r], t.lse[r], t.acc, r * sc.dv, o, layout.outputRow(b, q0 + r), layout.logsumexp(b, q0 + r));
                }
            }
        });
        ops.release();
    }

    /** Decode: chunks of keys in parallel, then the partial softmaxes merged per row in chunk order. */
    private void splitKeys(AttentionScores sc, AttentionLayout layout, Operands ops, float[] o, int splits) {
        int rows = sc.tq, dv = sc.dv;
        float[] m = new float[sc.batch * splits * rows], l = new float[m.length], acc = new float[m.length * dv];
        CpuThreads.parallelFor(sc.batch * splits, 1, (from, to) -> {
            Tile t = new Tile(sc, ops, rows);
            for (int item = from; item < to; item++) {
                int b = item / splits, s = item % splits;
                int k0 = s * KEY_SPLIT, k1 = Math.min(sc.keyEnd(0, rows), k0 + KEY_SPLIT);
                t.reset(rows);
                if (k0 < k1) t.accumulate(b, 0, rows, k0, k1);
                System.arraycopy(t.m, 0, m, item * rows, rows);
                System.arraycopy(t.l, 0, l, item * rows, rows);
                System.arraycopy(t.acc, 0, acc, item * rows * dv, rows * dv);
            }
        });
        ops.release();
        // per (entry, row) the largest chunk maximum; each chunk's weight exp(m - top) (the IR's exp), its sums merged in chunk order
        int all = sc.batch * rows;
        float[] top = new float[m.length], w = new float[m.length], mMax = new float[all], lSum = new float[all], lse = new float[all],
                merged = new float[all * dv];
        for (int b = 0; b < sc.batch; b++) {
            for (int r = 0; r < rows; r++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s < splits; s++) max = Math.max(max, m[(b * splits + s) * rows + r]);
                mMax[b * rows + r] = max;
                for (int s = 0; s < splits; s++) top[(b * splits + s) * rows + r] = max;
            }
        }
        AttentionRows pass = new AttentionRows();
        pass.expDiff(m, top, w, m.length);
        for (int b = 0; b < sc.batch; b++) {
            for (int r = 0; r < rows; r++) {
                int row = b * rows + r;
                if (mMax[row] == Float.NEGATIVE_INFINITY) continue;
                for (int s = 0; s < splits; s++) {
                    int p = (b * splits + s) * rows + r;
                    if (m[p] == Float.NEGATIVE_INFINITY) continue;
                    lSum[row] += l[p] * w[p];
                    GeneratedLoops.scaledAdd(w, p, acc, p * dv, merged, row * dv, dv);
                }
            }
        }
        pass.plusLog(mMax, lSum, lse, all);
        for (int b = 0; b < sc.batch; b++) {
            for (int r = 0; r < rows; r++) {
                int row = b * rows + r;
                finish(sc, mMax[row], lSum[row], lse[row], merged, row * dv, o, layout.outputRow(b, r), layout.logsumexp(b, r));
            }
        }
    }

    /** One output row: {@code acc / l} and the logsumexp {@code m + log l} (given); zeros and -inf for a fully masked row. */
    private static void finish(AttentionScores sc, float m, float l, float logSumExp, float[] acc, int ao, float[] o, int oo, int lse) {
        if (m == Float.NEGATIVE_INFINITY || l == 0) {
            Arrays.fill(o, oo, oo + sc.dv, 0f);
            o[lse] = Float.NEGATIVE_INFINITY;
            return;
        }
        float inv = 1 / l;
        for (int c = 0; c < sc.dv; c++) o[oo + c] = acc[ao + c] * inv;
        o[lse] = logSumExp;
    }

    /**
     * The keys of every batch entry transposed ([d][tk] each; in place when stored so), the B operand of the score tiles, and the
     * values as rows with contiguous columns (in place when they are): prepared once per call, in parallel.
     */
    private static final class Operands {
        final AttentionScores.Rows[] keys, values;
        /** The transposed keys when they are copied: from the host's cache, given back by {@link #release}. */
        private final float[] kt;

        Operands(AttentionScores sc) {
            kt = sc.k.rowStride() == 1 ? null : (float[]) HostBuffers.take(DType.FLOAT32, sc.batch * sc.d * sc.tk);
            keys = new AttentionScores.Rows[sc.batch];
            values = new AttentionScores.Rows[sc.batch];
            boolean copyValues = sc.v.colStride() != 1;
            // copying is cheaper than multiplying: a decode step's few thousand elements per head stay on this thread
            int grain = (int) Math.max(1, 8 * CpuThreads.SMALL_WORK / Math.max(1L, (long) sc.tk * (sc.d + sc.dv)));
            CpuThreads.parallelFor(sc.batch, grain, (from, to) -> {
                for (int b = from; b < to; b++) {
                    keys[b] = AttentionScores.transposed(sc.k, b, sc.tk, sc.d, kt, b * sc.d * sc.tk);
                    values[b] = AttentionScores.rows(sc.v, b, sc.tk, sc.dv, copyValues ? new float[sc.tk * sc.dv] : null);
                }
            });
        }

        /** Gives the copied keys back to the host's cache: call once, when no tile reads them any more. */
        void release() {
            if (kt != null) HostBuffers.give(kt);
        }
    }

    /** One thread's scratch for a block of query rows: the score tile, the row passes' per-row values and the running m, l and output. */
    private final class Tile {
        final AttentionScores sc;
        final Operands ops;
        final AttentionRows pass = new AttentionRows();
        final float[] s, acc, m, l, tileMax, sums, alpha, lse, scalar = new float[1];
        final int[] visible;

        Tile(AttentionScores sc, Operands ops, int rows) {
            this.sc = sc;
            this.ops = ops;
            s = new float[rows * AttentionRows.stride(AttentionScores.KEY_BLOCK)];
            acc = new float[rows * sc.dv];
            m = new float[rows];
            l = new float[rows];
            tileMax = new float[rows];
            sums = new float[rows];
            alpha = new float[rows];
            lse = new float[rows];
            visible = new int[rows];
        }

        void reset(int rows) {
            Arrays.fill(m, 0, rows, Float.NEGATIVE_INFINITY);
            Arrays.fill(l, 0, rows, 0f);
            Arrays.fill(acc, 0, rows * sc.dv, 0f);
        }

        /** Folds keys [kStart, kEnd) into the running softmax of query rows [q0, q0+rows). */
        void accumulate(int b, int q0, int rows, int kStart, int kEnd) {
            float expScale = sc.plain ? sc.scale : 1f;
            AttentionScores.Rows values = ops.values[b];
            for (int k0 = kStart; k0 < kEnd; k0 += AttentionScores.KEY_BLOCK) {
                int cols = Math.min(AttentionScores.KEY_BLOCK, kEnd - k0), ld = AttentionRows.stride(cols);
                sc.tile(b, q0, rows, k0, cols, ops.keys[b], s, ld, scalar);
                for (int r = 0; r < rows; r++) visible[r] = sc.visible(q0 + r, k0, cols);
                pass.rowMax(s, rows, ld, visible, tileMax);
                // the new running maximum is each row's shift; -inf: nothing visible yet, the row adds nothing
                for (int r = 0; r < rows; r++) tileMax[r] = Math.max(m[r], tileMax[r] * expScale);
                pass.numerators(s, rows, ld, visible, expScale, tileMax, sums);
                pass.expDiff(m, tileMax, alpha, rows);
                for (int r = 0; r < rows; r++) {
                    float mNew = tileMax[r];
                    if (mNew == Float.NEGATIVE_INFINITY) continue;
                    // a row that saw nothing before has l = 0 and an output row of zeros: nothing to rescale
                    boolean first = m[r] == Float.NEGATIVE_INFINITY;
                    float a = first ? 0f : alpha[r];
                    l[r] = l[r] * a + sums[r];
                    if (!first && a != 1f) {
                        scalar[0] = a;
                        GeneratedLoops.binary(Op.MUL, acc, r * sc.dv, 1, scalar, 0, 0, acc, r * sc.dv, 1, sc.dv);
                    }
                    m[r] = mNew;
                }
                TileGemm.multiply(rows, sc.dv, cols, s, 0, ld, 1, values.data(), values.at(k0), values.ld(), acc, 0, sc.dv, true);
            }
        }
    }
}
