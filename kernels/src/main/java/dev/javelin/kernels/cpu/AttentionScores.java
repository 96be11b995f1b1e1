package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.TileGemm;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * What the forward and backward attention kernels share: the operands of one call and the one
 * definition of a score tile, {@code S = Q·Kᵀ·scale + mask} with each row's causally visible length, for a
 * block of query rows against a block of keys.
 *
 * <p>A tile's products run through {@link TileGemm} on the calling thread, whose B operand needs
 * contiguous rows: the keys are therefore transposed once per head, and an operand whose columns are strided
 * is copied once per head ({@link #rows}). Without a mask and with a positive scale ({@link #plain}) the tile is left
 * as raw {@code Q·Kᵀ}: the row pass folds the scale into its exp. Causal rows stop at their last visible key
 * ({@link #tile}).
 */
final class AttentionScores {
    /** Query rows per tile, at most. */
    static final int QUERY_BLOCK = 64;
    /** Fewest query rows per tile of a causal call (see {@link #queryBlock}). */
    static final int MIN_CAUSAL_QUERY_BLOCK = 16;
    /** Keys per tile: with 64 query rows and head size 64 a score tile is 32 KB and the products stay in L2. */
    static final int KEY_BLOCK = 128;

    final AttentionOperand q, k, v, mask;
    final int batch, tq, tk, d, dv;
    final float scale;
    final boolean causal;
    /** No mask and scale > 0: max(s·scale) = max(s)·scale, so tiles stay unscaled. */
    final boolean plain;
    /**
     * Query rows per tile. A causal block of qb rows computes its diagonal tile in full, qb²/2 wasted
     * scores per block, qb/T of the useful work in all: 50% at T = 128 with 64-row blocks (the
     * char-GPT). Causal calls therefore take blocks of T/8 rows (16 to 64), which keeps the waste near
     * 1/8; measured at T = 128, d = 32: fwd+bwd 17.4 -> 15.3-15.9 ms on one thread with 16 rows.
     */
    final int queryBlock;

    AttentionScores(OpCall call) {
        Tensor qt = call.input(0), vt = call.input(2);
        boolean hasMask = call.inputs().size() == (call.op() == Op.ATTENTION ? 4 : 7);
        q = AttentionOperand.of(qt);
        k = AttentionOperand.of(call.input(1));
        v = AttentionOperand.of(vt);
        mask = hasMask ? AttentionOperand.of(call.input(3)) : null;
        batch = q.batchOffsets().length;
        tq = qt.dim(-2);
        tk = vt.dim(-2);
        d = qt.dim(-1);
        dv = vt.dim(-1);
        OpAttrs.Attention attrs = call.attrs(OpAttrs.Attention.class);
        scale = (float) attrs.scale();
        causal = attrs.causal();
        plain = mask == null && scale > 0;
        queryBlock = causal ? Math.max(MIN_CAUSAL_QUERY_BLOCK, Math.min(QUERY_BLOCK, Integer.highestOneBit(Math.max(1, tq / 8))))
                : QUERY_BLOCK;
    }

    /** The end of the keys query rows [q0, q0 + rows) can see. */
    int keyEnd(int q0, int rows) {
        return causal ? Math.min(tk, q0 + rows) : tk;
    }

    /**
     * Writes the score tile of query rows [q0, q0+rows) and keys [k0, k0+cols) of batch entry b into s
     * (row stride ld >= cols), from the transposed keys {@code kt} ([d][tk] rows): raw when
     * {@link #plain}, else scaled and masked; and {@code visible[r]}, how many of the keys row r sees (all unless causal):
     * the row passes stop there, so the causally hidden scores are never read, whatever the tile holds past them.
     */
    void tile(int b, int q0, int rows, int k0, int cols, Rows kt, float[] s, int ld, int[] visible) {
        TileGemm.multiply(rows, cols, d, q.data(), q.at(b, q0, 0), q.rowStride(), q.colStride(), kt.data(), kt.at(0, k0), kt.ld(),
                s, 0, ld, false);
        for (int r = 0; r < rows; r++) visible[r] = causal ? Math.max(0, Math.min(cols, q0 + r - k0 + 1)) : cols;
        if (plain) return;
        float[] scalar = {scale};
        for (int r = 0; r < rows; r++) {
            GeneratedLoops.binary(Op.MUL, s, r * ld, 1, scalar, 0, 0, s, r * ld, 1, cols);
            if (mask != null) GeneratedLoops.binary(Op.ADD, s, r * ld, 1, mask.data(), mask.at(b, q0 + r, k0), mask.colStride(), s, r * ld, 1, cols);
        }
    }

    /**
     * Batch entry b of x as rows with contiguous columns: in place when {@code scratch} is null (the columns must then be
     * contiguous), else copied into {@code scratch}, of {@link #blockedSize} floats when {@code blocked}: then as column
     * blocks of {@link #KEY_BLOCK}, each a dense [rows][KEY_BLOCK] (a tile's B operand one contiguous 32 KB block: rows
     * a power of two apart share a few L1 sets and pages, at T = 1024 the score tile's product 51 -> 111 GFLOP/s, see
     * perf/NOTES.md, attn10), else as dense [rows][cols]. Of an {@link AttentionOperand#transposed} view: the transpose,
     * in place when stored so (as a KV cache keeps its keys), else copied with contiguous writes.
     */
    static Rows rows(AttentionOperand x, int b, int rows, int cols, float[] scratch, boolean blocked) {
        if (scratch == null) return new Rows(x.data(), x.at(b, 0, 0), x.rowStride(), KEY_BLOCK);
        int ld = blocked ? Math.min(cols, KEY_BLOCK) : cols;
        Rows to = new Rows(scratch, 0, ld, blocked ? ld * rows : KEY_BLOCK);
        for (int c0 = 0; c0 < cols; c0 += ld) {
            for (int r = 0, n = Math.min(ld, cols - c0); r < rows; r++) {
                Elementwise.copyRow(x.data(), x.at(b, r, c0), x.colStride(), scratch, to.at(r, c0), 1, n);
            }
        }
        return to;
    }

    /** The floats of a blocked copy of [rows][cols] ({@link #rows}): the last column block is whole. */
    static int blockedSize(int rows, int cols) {
        return rows * (cols <= KEY_BLOCK ? cols : (cols + KEY_BLOCK - 1) / KEY_BLOCK * KEY_BLOCK);
    }

    /**
     * Rows in column blocks of {@link #KEY_BLOCK}: element (r, c) at {@code data[offset + c / KEY_BLOCK · blockStride +
     * r · ld + c % KEY_BLOCK]}; a plain row-major block has {@code blockStride} KEY_BLOCK. Within a block the rows are
     * contiguous, as a {@link TileGemm}'s B needs.
     */
    record Rows(float[] data, int offset, int ld, int blockStride) {
        int at(int r, int c) {
            return offset + c / KEY_BLOCK * blockStride + r * ld + c % KEY_BLOCK;
        }
    }

    /** At most this many chunks a call: each chunk allocates its thread's scratch (tiles, transposed operands). */
    static final int MAX_CHUNKS = 16;

    /**
     * Items per task: at least {@link CpuThreads#SMALL_WORK} flops (the pool's overhead stays small) and at most
     * {@link #MAX_CHUNKS} tasks (a 1024-item char-GPT forward allocated its 10 KB scratch 1024 times, 40 MB of
     * zeroed memory a train step with the backward's). Items are independent, so the split changes no bits.
     */
    int grain(long flopsPerItem, int items) {
        return (int) Math.max(Math.max(1, CpuThreads.SMALL_WORK / Math.max(1, flopsPerItem)), (items + MAX_CHUNKS - 1) / MAX_CHUNKS);
    }
}
