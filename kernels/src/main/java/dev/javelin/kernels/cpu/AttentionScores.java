package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * What the forward and backward attention kernels share: the operands of one call and the one
 * definition of a score tile, {@code S = Q·Kᵀ·scale + mask} with causal entries set to -inf, for a
 * block of query rows against a block of keys.
 */
final class AttentionScores {
    /** Query rows per tile. */
    static final int QUERY_BLOCK = 64;
    /** Keys per tile: with 64 query rows and head size 64 a score tile is 32 KB and the products stay in L2. */
    static final int KEY_BLOCK = 128;

    final FloatLoops loops;
    final AttentionOperand q, k, v, mask;
    final int batch, tq, tk, d, dv;
    final float scale;
    final boolean causal;

    AttentionScores(FloatLoops loops, OpCall call) {
        this.loops = loops;
        Tensor qt = call.input(0), vt = call.input(2);
        boolean hasMask = call.inputs().size() == (call.op() == Op.ATTENTION ? 4 : 6);
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
    }

    /** The end of the keys query rows [q0, q0 + rows) can see. */
    int keyEnd(int q0, int rows) {
        return causal ? Math.min(tk, q0 + rows) : tk;
    }

    /** Writes the score tile of query rows [q0, q0+rows) and keys [k0, k0+cols) of batch entry b into s (row stride cols). */
    void tile(int b, int q0, int rows, int k0, int cols, float[] s, float[] scalar) {
        Sgemm.multiply(rows, cols, d, q.data(), q.at(b, q0, 0), q.rowStride(), q.colStride(),
                k.data(), k.at(b, k0, 0), k.colStride(), k.rowStride(), s, 0, cols, false);
        scalar[0] = scale;
        for (int r = 0; r < rows; r++) {
            int so = r * cols, i = q0 + r;
            loops.binary(Op.MUL, s, so, 1, scalar, 0, 0, s, so, 1, cols);
            if (mask != null) loops.binary(Op.ADD, s, so, 1, mask.data(), mask.at(b, i, k0), mask.colStride(), s, so, 1, cols);
            if (causal) {
                int visible = Math.max(0, i - k0 + 1);
                if (visible < cols) java.util.Arrays.fill(s, so + visible, so + cols, Float.NEGATIVE_INFINITY);
            }
        }
    }

    /** Items of at least this many tiles' work per task keep the pool's overhead small. */
    int grain(long flopsPerItem) {
        return (int) Math.max(1, CpuThreads.SMALL_WORK / Math.max(1, flopsPerItem));
    }
}
