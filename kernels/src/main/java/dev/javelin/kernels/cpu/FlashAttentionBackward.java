package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.TileGemm;
import dev.javelin.tensor.AttentionLayout;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.Arrays;

/**
 * The float32 ATTENTION_BACKWARD as a tiled kernel that recomputes the weights instead of storing
 * them: the forward kept only each row's logsumexp, so a tile's weights are
 * {@code P = exp(S - lse)} from the recomputed scores S. Per (query block, key block) tile:
 * {@code dV += Pᵀ·dO}, {@code dP = dO·Vᵀ}, {@code dS = P ∘ (dP - delta)·scale} with
 * {@code delta = rowsum(dO ∘ O) - g_lse}, {@code dQ += dS·K}, {@code dK += dSᵀ·Q}. Extra memory is
 * two tiles per thread, K and V transposed once per head, and one float per query row.
 *
 * <p>One work item is one batch entry (a head), its tiles visited in a fixed order, so the sums into
 * dK and dV need no atomics and the bits do not depend on the thread count. Every product is a
 * {@link TileGemm} on the worker's thread; the row passes are {@link AttentionRows}' fused loops.
 */
final class FlashAttentionBackward {
    void backward(OpCall call, Tensor out) {
        AttentionScores sc = new AttentionScores(call);
        AttentionLayout layout = AttentionLayout.of(call);
        int last = call.inputs().size();
        Tensor packedOut = call.input(last - 3);
        AttentionOperand o = AttentionOperand.packed(packedOut, layout, false), lse = AttentionOperand.packed(packedOut, layout, true);
        AttentionOperand g = AttentionOperand.of(call.input(last - 2)), gLse = AttentionOperand.of(call.input(last - 1));
        float[] grads = Elementwise.heap(out).floats();
        int per = sc.tq * sc.d + sc.tk * sc.d + sc.tk * sc.dv;
        if (per == 0 || sc.batch == 0) return;
        long flops = 4L * sc.tq * sc.tk * (sc.d + sc.dv);
        CpuThreads.parallelFor(sc.batch, sc.grain(flops, sc.batch), (from, to) -> {
            Scratch t = new Scratch(sc, g, layout);
            for (int b = from; b < to; b++) t.run(b, o, lse, g, gLse, grads, layout);
        });
    }

    /** One thread's tiles (the weights P, then dP turned into dS in place), per-row delta and lse, and one head's operands. */
    private final class Scratch {
        final AttentionScores sc;
        final AttentionRows pass = new AttentionRows();
        final float[] p, ds, delta, lse, ktRows, vtRows, qRows, kRows, gRows;
        /** One head's dq, dk, dv as dense blocks, summed here and copied to their rows at the end, when the layout spreads the rows apart. */
        final float[] headGrads;
        final int[] visible;

        Scratch(AttentionScores sc, AttentionOperand g, AttentionLayout layout) {
            this.sc = sc;
            p = new float[sc.queryBlock * AttentionRows.stride(AttentionScores.KEY_BLOCK)];
            ds = new float[p.length];
            delta = new float[sc.tq];
            lse = new float[sc.tq];
            visible = new int[sc.queryBlock];
            ktRows = sc.k.rowStride() == 1 ? null : new float[AttentionScores.blockedSize(sc.d, sc.tk)];
            vtRows = sc.v.rowStride() == 1 ? null : new float[AttentionScores.blockedSize(sc.dv, sc.tk)];
            // k and dO are reread by every tile of the head: copied into dense rows unless stored so, since rows a
            // power of two apart (a head of [B,T,H*D], the time-major layout's) share a few L1 sets; likewise the
            // sums into dq, dk, dv run in a dense block (measured at [4,8,1024,64] causal: time-major 10-15% slower without)
            qRows = sc.q.colStride() == 1 ? null : new float[sc.tq * sc.d];
            kRows = sc.k.colStride() == 1 && sc.k.rowStride() == sc.d ? null : new float[sc.tk * sc.d];
            gRows = g.colStride() == 1 && g.rowStride() == sc.dv ? null : new float[sc.tq * sc.dv];
            headGrads = layout.gradientRowStride(0) == sc.d && layout.gradientRowStride(2) == sc.dv ? null
                    : new float[sc.tq * sc.d + sc.tk * sc.d + sc.tk * sc.dv];
        }

        void run(int b, AttentionOperand o, AttentionOperand oLse, AttentionOperand g, AttentionOperand gLse, float[] grads,
                 AttentionLayout layout) {
            boolean inPlace = headGrads == null; // summed where the layout keeps them, else in the dense block
            float[] sums = inPlace ? grads : headGrads;
            int d = sc.d, dq = inPlace ? layout.gradientRow(0, b, 0) : 0, dk = inPlace ? layout.gradientRow(1, b, 0) : sc.tq * d;
            int dvOff = inPlace ? layout.gradientRow(2, b, 0) : dk + sc.tk * d;
            if (!inPlace) Arrays.fill(headGrads, 0f);
            AttentionScores.Rows kt = AttentionScores.rows(sc.k.transposed(), b, sc.d, sc.tk, ktRows, true);
            AttentionScores.Rows vt = AttentionScores.rows(sc.v.transposed(), b, sc.dv, sc.tk, vtRows, true);
            AttentionScores.Rows qr = AttentionScores.rows(sc.q, b, sc.tq, sc.d, qRows, false);
            AttentionScores.Rows kr = AttentionScores.rows(sc.k, b, sc.tk, sc.d, kRows, false);
            AttentionScores.Rows gr = AttentionScores.rows(g, b, sc.tq, sc.dv, gRows, false);
            float[] gd = gr.data(), od = o.data(); // o's columns are contiguous (AttentionOperand.packed)
            for (int i = 0; i < sc.tq; i++) {
                float sum = -gLse.data()[gLse.at(b, i, 0)];
                for (int c = 0, gi = gr.at(i, 0), oi = o.at(b, i, 0); c < sc.dv; c++) sum += gd[gi + c] * od[oi + c];
                delta[i] = sum;
                lse[i] = oLse.data()[oLse.at(b, i, 0)];
            }
            float expScale = sc.plain ? sc.scale : 1f;
            int qb = sc.queryBlock, kb = AttentionScores.KEY_BLOCK;
            for (int q0 = 0; q0 < sc.tq; q0 += qb) {
                int rows = Math.min(qb, sc.tq - q0), kEnd = sc.keyEnd(q0, rows);
                for (int k0 = 0; k0 < kEnd; k0 += kb) {
                    int cols = Math.min(kb, kEnd - k0), ld = AttentionRows.stride(cols);
                    // P = exp(S·scale - lse), zero where a row sees nothing
                    sc.tile(b, q0, rows, k0, cols, kt, p, ld, visible);
                    pass.numerators(p, rows, ld, visible, expScale, lse, q0, null);
                    // dV[k0..] += Pᵀ·dO
                    TileGemm.multiply(cols, sc.dv, rows, p, 0, 1, ld, gr.data(), gr.at(q0, 0), gr.ld(), sums, dvOff + k0 * sc.dv, sc.dv, true);
                    // dP = dO·Vᵀ, then dS = P ∘ (dP - delta)·scale
                    TileGemm.multiply(rows, cols, sc.dv, gr.data(), gr.at(q0, 0), gr.ld(), 1, vt.data(), vt.at(0, k0), vt.ld(), ds, 0, ld, false);
                    pass.softmaxGradient(p, ds, rows, ld, cols, delta, q0, sc.scale);
                    // dQ[q0..] += dS·K and dK[k0..] += dSᵀ·Q
                    TileGemm.multiply(rows, d, cols, ds, 0, ld, 1, kr.data(), kr.at(k0, 0), kr.ld(), sums, dq + q0 * d, d, true);
                    TileGemm.multiply(cols, d, rows, ds, 0, 1, ld, qr.data(), qr.at(q0, 0), qr.ld(), sums, dk + k0 * d, d, true);
                }
            }
            if (inPlace) return;
            for (int i = 0; i < sc.tq; i++) System.arraycopy(headGrads, i * sc.d, grads, layout.gradientRow(0, b, i), sc.d);
            for (int j = 0; j < sc.tk; j++) {
                System.arraycopy(headGrads, dk + j * sc.d, grads, layout.gradientRow(1, b, j), sc.d);
                System.arraycopy(headGrads, dvOff + j * sc.dv, grads, layout.gradientRow(2, b, j), sc.dv);
            }
        }
    }
}
