package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * The float32 GRU RECURRENCE ({@code reset_after}, as PyTorch and Keras's default) and its backward,
 * laid out as {@link LstmLoop}: per step one GEMM {@code h·w} per gate onto the recurrent bias, the
 * gates as long vector loops over a thread's gate-major block of examples; backward in reverse with
 * one GEMM {@code da·wᵀ} per step, then {@code dw} in one GEMM over all steps and {@code db} as one
 * column sum in a fixed row order. The math is {@code GruMath}'s (the reference backend's) in float32.
 */
final class GruLoop {
    private static final float[] ONE = {1f};

    private final FloatLoops loops;

    GruLoop(FloatLoops loops) {
        this.loops = loops;
    }

    void forward(OpCall call, Tensor out) {
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        Tensor x = call.input(0);
        int n = x.dim(0), steps = x.dim(1), u = call.input(1).dim(0), gw = 3 * u, ow = 5 * u;
        SequenceOperand xs = SequenceOperand.of(x);
        float[] w = SequenceOperand.dense(call.input(1)), bias = SequenceOperand.dense(call.input(2));
        float[] h0 = SequenceOperand.dense(call.input(3));
        boolean[] mask = call.inputs().size() == 5 ? SequenceOperand.denseBools(call.input(4)) : null;
        float[] o = Elementwise.heap(out).floats();
        int oo = out.offset(), ldo = steps * ow;
        CpuThreads.parallelFor(n, SequenceOperand.rowBlock(n, (long) steps * gw * u), (from, to) -> {
            int rows = to - from, ru = rows * u;
            float[] inner = new float[3 * ru], g = new float[3 * ru], h = new float[ru], t1 = new float[ru], kept = new float[ru];
            System.arraycopy(h0, from * u, h, 0, ru);
            for (int s = 0; s < steps; s++) {
                int t = a.inputIndex(s, steps), at = oo + a.outputIndex(s, steps) * ow;
                boolean anyMasked = false;
                for (int b = 0; b < rows; b++) {
                    for (int q = 0; q < 3; q++) {
                        System.arraycopy(bias, q * u, inner, q * ru + b * u, u);
                        System.arraycopy(xs.data(), xs.at(from + b, t) + q * u, g, q * ru + b * u, u);
                    }
                    anyMasked |= mask != null && !mask[(from + b) * steps + t];
                }
                for (int q = 0; q < 3; q++) Sgemm.multiply(rows, u, u, h, 0, u, 1, w, q * u, gw, 1, inner, q * ru, u, true);
                if (anyMasked) System.arraycopy(h, 0, kept, 0, ru);
                // z = σ(x_z + a_z), r = σ(x_r + a_r), in place in g
                loops.binary(Op.ADD, g, 0, 1, inner, 0, 1, g, 0, 1, 2 * ru);
                loops.unary(Op.SIGMOID, g, 0, 1, g, 0, 1, 2 * ru);
                // n = tanh(x_h + r*a_h)
                loops.binary(Op.MUL, g, ru, 1, inner, 2 * ru, 1, t1, 0, 1, ru);
                loops.binary(Op.ADD, g, 2 * ru, 1, t1, 0, 1, t1, 0, 1, ru);
                loops.unary(Op.TANH, t1, 0, 1, g, 2 * ru, 1, ru);
                // h = n + z*(h - n)
                loops.binary(Op.SUB, h, 0, 1, g, 2 * ru, 1, t1, 0, 1, ru);
                loops.binary(Op.MUL, g, 0, 1, t1, 0, 1, t1, 0, 1, ru);
                loops.binary(Op.ADD, g, 2 * ru, 1, t1, 0, 1, h, 0, 1, ru);
                for (int b = 0; b < rows; b++) {
                    int row = at + (from + b) * ldo, bu = b * u;
                    if (anyMasked && !mask[(from + b) * steps + t]) System.arraycopy(kept, bu, h, bu, u);
                    System.arraycopy(h, bu, o, row, u);
                    for (int q = 0; q < 3; q++) System.arraycopy(g, q * ru + bu, o, row + (1 + q) * u, u);
                    System.arraycopy(inner, 2 * ru + bu, o, row + 4 * u, u);
                }
            }
        });
    }

    void backward(OpCall call, Tensor out) {
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        int last = call.inputs().size();
        Tensor y = call.input(last - 2);
        int n = y.dim(0), steps = y.dim(1), u = call.input(0).dim(0), gw = 3 * u;
        float[] wt = SequenceOperand.transposed(call.input(0)), h0 = SequenceOperand.dense(call.input(2));
        boolean[] mask = last == 6 ? SequenceOperand.denseBools(call.input(3)) : null;
        SequenceOperand ys = SequenceOperand.of(y), gs = SequenceOperand.of(call.input(last - 1));
        float[] r = Elementwise.heap(out).floats();
        int ro = out.offset(), dwAt = ro + n * steps * gw, dbAt = dwAt + u * gw, dh0At = dbAt + gw;
        float[] hPrev = new float[n * steps * u]; // by input time, for dw
        float[] dInner = new float[n * steps * gw]; // the recurrent parts' gradients, by input time
        CpuThreads.parallelFor(n, SequenceOperand.rowBlock(n, (long) steps * gw * u), (from, to) -> {
            int rows = to - from, ru = rows * u;
            Block k = new Block(ru);
            for (int s = steps - 1; s >= 0; s--) {
                int t = a.inputIndex(s, steps), os = a.outputIndex(s, steps), ps = s == 0 ? -1 : a.outputIndex(s - 1, steps);
                boolean anyMasked = false;
                for (int b = 0; b < rows; b++) {
                    int yr = ys.at(from + b, os), gr = gs.at(from + b, os), bu = b * u;
                    for (int q = 0; q < 4; q++) {
                        System.arraycopy(ys.data(), yr + (1 + q) * u, k.stored, q * ru + bu, u);
                        System.arraycopy(gs.data(), gr + (1 + q) * u, k.storedGrads, q * ru + bu, u);
                    }
                    System.arraycopy(gs.data(), gr, k.t1, bu, u);
                    int hp = s == 0 ? (from + b) * u : ys.at(from + b, ps);
                    System.arraycopy(s == 0 ? h0 : ys.data(), hp, k.hPrev, bu, u);
                    System.arraycopy(k.hPrev, bu, hPrev, ((from + b) * steps + t) * u, u);
                    anyMasked |= mask != null && !mask[(from + b) * steps + t];
                }
                loops.binary(Op.ADD, k.dh, 0, 1, k.t1, 0, 1, k.dh, 0, 1, ru);
                float[] dGate = k.dh;
                if (anyMasked) { // a masked step's gates did not touch h: only the stored columns' own gradients reach them
                    System.arraycopy(k.dh, 0, k.dGate, 0, ru);
                    for (int b = 0; b < rows; b++) {
                        if (!mask[(from + b) * steps + t]) java.util.Arrays.fill(k.dGate, b * u, b * u + u, 0f);
                    }
                    dGate = k.dGate;
                }
                gateGradients(k, dGate, ru);
                for (int b = 0; b < rows; b++) {
                    int bu = b * u, dx = ro + ((from + b) * steps + t) * gw, di = ((from + b) * steps + t) * gw;
                    if (anyMasked && !mask[(from + b) * steps + t]) loops.binary(Op.ADD, k.direct, bu, 1, k.dh, bu, 1, k.direct, bu, 1, u);
                    for (int q = 0; q < 3; q++) System.arraycopy(k.dx, q * ru + bu, r, dx + q * u, u);
                    System.arraycopy(k.dx, bu, dInner, di, u);
                    System.arraycopy(k.dx, ru + bu, dInner, di + u, u);
                    System.arraycopy(k.dInnerH, bu, dInner, di + 2 * u, u);
                }
                Sgemm.multiply(rows, u, gw, dInner, (from * steps + t) * gw, steps * gw, 1, wt, 0, u, 1, k.dhNext, 0, u, false);
                loops.binary(Op.ADD, k.dhNext, 0, 1, k.direct, 0, 1, k.dhNext, 0, 1, ru);
                float[] swap = k.dh;
                k.dh = k.dhNext;
                k.dhNext = swap;
            }
            System.arraycopy(k.dh, 0, r, dh0At + from * u, ru);
        });
        Sgemm.multiply(u, gw, n * steps, hPrev, 0, 1, u, dInner, 0, gw, 1, r, dwAt, gw, false);
        java.util.Arrays.fill(r, dbAt, dbAt + gw, 0f);
        for (int row = 0; row < n * steps; row++) loops.binary(Op.ADD, r, dbAt, 1, dInner, row * gw, 1, r, dbAt, 1, gw);
    }

    /** One thread's block of examples in the backward; {@code stored} holds z, r, n and a_h gate-major. */
    private static final class Block {
        final float[] stored, storedGrads, dx, dInnerH, hPrev, direct, dGate, t1, t2;
        float[] dh, dhNext;

        Block(int ru) {
            stored = new float[4 * ru];
            storedGrads = new float[4 * ru];
            dx = new float[3 * ru];
            dInnerH = new float[ru];
            hPrev = new float[ru];
            direct = new float[ru];
            dGate = new float[ru];
            t1 = new float[ru];
            t2 = new float[ru];
            dh = new float[ru];
            dhNext = new float[ru];
        }
    }

    /**
     * With {@code d} the gradient reaching h' through the gates (zero on masked rows) and {@code g*} the
     * stored columns' gradients: {@code dn = d(1-z) + gn}, {@code dx_z = (d(h-n) + gz)·z(1-z)},
     * {@code dx_h = dn(1-n²)}, {@code dx_r = (dx_h·a_h + gr)·r(1-r)}, {@code da_h = dx_h·r + ga}, and
     * the direct path {@code d·z} to the previous h.
     */
    private void gateGradients(Block k, float[] d, int ru) {
        float[] y = k.stored, g = k.storedGrads, t1 = k.t1, t2 = k.t2;
        int z = 0, r = ru, cand = 2 * ru, ah = 3 * ru;
        // dn = d(1-z) + gn
        loops.binary(Op.SUB, ONE, 0, 0, y, z, 1, t1, 0, 1, ru);
        loops.binary(Op.MUL, t1, 0, 1, d, 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, cand, 1, t1, 0, 1, ru);
        // dx_z = (d(h - n) + gz)·z(1-z)
        loops.binary(Op.SUB, k.hPrev, 0, 1, y, cand, 1, t2, 0, 1, ru);
        loops.binary(Op.MUL, t2, 0, 1, d, 0, 1, t2, 0, 1, ru);
        loops.binary(Op.ADD, t2, 0, 1, g, z, 1, t2, 0, 1, ru);
        sigmoidGrad(t2, y, z, k.dx, 0, ru, k.direct);
        // dx_h = dn(1-n²)
        loops.binary(Op.MUL, y, cand, 1, y, cand, 1, t2, 0, 1, ru);
        loops.binary(Op.SUB, ONE, 0, 0, t2, 0, 1, t2, 0, 1, ru);
        loops.binary(Op.MUL, t1, 0, 1, t2, 0, 1, k.dx, 2 * ru, 1, ru);
        // dx_r = (dx_h·a_h + gr)·r(1-r)
        loops.binary(Op.MUL, k.dx, 2 * ru, 1, y, ah, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, r, 1, t1, 0, 1, ru);
        sigmoidGrad(t1, y, r, k.dx, ru, ru, t2);
        // da_h = dx_h·r + ga
        loops.binary(Op.MUL, k.dx, 2 * ru, 1, y, r, 1, k.dInnerH, 0, 1, ru);
        loops.binary(Op.ADD, k.dInnerH, 0, 1, g, ah, 1, k.dInnerH, 0, 1, ru);
        // the direct path: d·z
        loops.binary(Op.MUL, d, 0, 1, y, z, 1, k.direct, 0, 1, ru);
    }

    /** {@code dz[dzo..] = d·s(1-s)} for the stored sigmoid at {@code y[s..]}; {@code scratch} is overwritten. */
    private void sigmoidGrad(float[] d, float[] y, int s, float[] dz, int dzo, int ru, float[] scratch) {
        loops.binary(Op.SUB, ONE, 0, 0, y, s, 1, scratch, 0, 1, ru);
        loops.binary(Op.MUL, scratch, 0, 1, y, s, 1, scratch, 0, 1, ru);
        loops.binary(Op.MUL, d, 0, 1, scratch, 0, 1, dz, dzo, 1, ru);
    }
}
