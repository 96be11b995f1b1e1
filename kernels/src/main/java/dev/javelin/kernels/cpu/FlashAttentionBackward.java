package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.Arrays;

/**
 * The float32 ATTENTION_BACKWARD as a tiled kernel that recomputes the weights instead of storing
 * them: the forward kept only each row's logsumexp, so a tile's weights are
 * {@code P = exp(S - lse)} from the recomputed scores S. Per (query block, key block) tile:
 * {@code dV += Pᵀ·dO}, {@code dP = dO·Vᵀ}, {@code dS = P ∘ (dP - delta)·scale} with
 * {@code delta = rowsum(dO ∘ O) - g_lse}, {@code dQ += dS·K}, {@code dK += dSᵀ·Q}. Extra memory is
 * two tiles per thread and one float per query row.
 *
 * <p>One work item is one batch entry (a head), its tiles visited in a fixed order, so the sums into
 * dK and dV need no atomics and the bits do not depend on the thread count.
 */
final class FlashAttentionBackward {
    private final FloatLoops loops;

    FlashAttentionBackward(FloatLoops loops) {
        this.loops = loops;
    }

    void backward(OpCall call, Tensor out) {
        AttentionScores sc = new AttentionScores(loops, call);
        int last = call.inputs().size();
        AttentionOperand o = AttentionOperand.of(call.input(last - 2)), g = AttentionOperand.of(call.input(last - 1));
        float[] grads = Elementwise.heap(out).floats();
        int per = sc.tq * sc.d + sc.tk * sc.d + sc.tk * sc.dv;
        if (per == 0 || sc.batch == 0) return;
        long flops = 4L * sc.tq * sc.tk * (sc.d + sc.dv);
        CpuThreads.parallelFor(sc.batch, sc.grain(flops), (from, to) -> {
            Scratch t = new Scratch(sc);
            for (int b = from; b < to; b++) t.run(b, o, g, grads, b * per);
        });
    }

    /** One thread's tiles: the weights P, then dP turned into dS in place, and the per-row delta. */
    private final class Scratch {
        final AttentionScores sc;
        final float[] p, ds, delta, lse, scalar = new float[1];

        Scratch(AttentionScores sc) {
            this.sc = sc;
            p = new float[AttentionScores.QUERY_BLOCK * AttentionScores.KEY_BLOCK];
            ds = new float[p.length];
            delta = new float[sc.tq];
            lse = new float[sc.tq];
        }

        void run(int b, AttentionOperand o, AttentionOperand g, float[] grads, int base) {
            int dq = base, dk = dq + sc.tq * sc.d, dvOff = dk + sc.tk * sc.d;
            for (int i = 0; i < sc.tq; i++) {
                float sum = -g.data()[g.at(b, i, sc.dv)];
                for (int c = 0; c < sc.dv; c++) sum += g.data()[g.at(b, i, c)] * o.data()[o.at(b, i, c)];
                delta[i] = sum;
                lse[i] = o.data()[o.at(b, i, sc.dv)];
            }
            int qb = AttentionScores.QUERY_BLOCK, kb = AttentionScores.KEY_BLOCK;
            for (int q0 = 0; q0 < sc.tq; q0 += qb) {
                int rows = Math.min(qb, sc.tq - q0), kEnd = sc.keyEnd(q0, rows);
                for (int k0 = 0; k0 < kEnd; k0 += kb) {
                    int cols = Math.min(kb, kEnd - k0);
                    weights(b, q0, rows, k0, cols);
                    // dV[k0..] += Pᵀ·dO
                    Sgemm.multiply(cols, sc.dv, rows, p, 0, 1, cols, g.data(), g.at(b, q0, 0), g.rowStride(), g.colStride(),
                            grads, dvOff + k0 * sc.dv, sc.dv, true);
                    // dP = dO·Vᵀ, then dS = P ∘ (dP - delta)·scale
                    Sgemm.multiply(rows, cols, sc.dv, g.data(), g.at(b, q0, 0), g.rowStride(), g.colStride(),
                            sc.v.data(), sc.v.at(b, k0, 0), sc.v.colStride(), sc.v.rowStride(), ds, 0, cols, false);
                    for (int r = 0; r < rows; r++) {
                        int ro = r * cols;
                        scalar[0] = delta[q0 + r];
                        loops.binary(Op.SUB, ds, ro, 1, scalar, 0, 0, ds, ro, 1, cols);
                        loops.binary(Op.MUL, ds, ro, 1, p, ro, 1, ds, ro, 1, cols);
                        scalar[0] = sc.scale;
                        loops.binary(Op.MUL, ds, ro, 1, scalar, 0, 0, ds, ro, 1, cols);
                    }
                    // dQ[q0..] += dS·K and dK[k0..] += dSᵀ·Q
                    Sgemm.multiply(rows, sc.d, cols, ds, 0, cols, 1, sc.k.data(), sc.k.at(b, k0, 0), sc.k.rowStride(), sc.k.colStride(),
                            grads, dq + q0 * sc.d, sc.d, true);
                    Sgemm.multiply(cols, sc.d, rows, ds, 0, 1, cols, sc.q.data(), sc.q.at(b, q0, 0), sc.q.rowStride(), sc.q.colStride(),
                            grads, dk + k0 * sc.d, sc.d, true);
                }
            }
        }

        /** P = exp(S - lse) for the tile; zero for rows with nothing visible (lse = -inf). */
        private void weights(int b, int q0, int rows, int k0, int cols) {
            sc.tile(b, q0, rows, k0, cols, p, scalar);
            for (int r = 0; r < rows; r++) {
                int ro = r * cols;
                float rowLse = lse[q0 + r];
                if (rowLse == Float.NEGATIVE_INFINITY) {
                    Arrays.fill(p, ro, ro + cols, 0f);
                    continue;
                }
                scalar[0] = rowLse;
                loops.binary(Op.SUB, p, ro, 1, scalar, 0, 0, p, ro, 1, cols);
                loops.unary(Op.EXP, p, ro, 1, p, ro, 1, cols);
            }
        }
    }
}
