package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * The float32 LSTM RECURRENCE and its backward, as cuDNN and oneDNN run it: the caller already made
 * every step's input projection in one GEMM; per step, one GEMM {@code h·w} accumulates onto that
 * projection in the gate buffer, then the gates and the cell update run as a few vector loops over
 * the whole block of examples, kept gate-major ({@code [i | f | g | o]}, each gate's rows side by
 * side) so each loop is one long call (sigmoid and tanh are the engine's generated eager kernels,
 * the IR's definitions); the packed result is written row by row. The
 * backward walks the steps in reverse with one GEMM {@code dz·wᵀ} per step and gate-gradient loops,
 * and sums {@code dw} at the end in one GEMM over all steps' stacked previous states.
 *
 * <p>Examples are independent, so the batch is split once into row blocks, one per thread, each
 * walking all the steps alone (no fork-join per step). A row's results do not depend on the block
 * it is in (every GEMM element is one fixed FMA chain), so the bits do not depend on the thread count.
 * The math is {@code RecurrenceMath}'s (the reference backend's) in float32.
 */
final class LstmLoop {
    private static final float[] ONE = {1f};

    private final FloatLoops loops;

    LstmLoop(FloatLoops loops) {
        this.loops = loops;
    }

    void forward(OpCall call, Tensor out) {
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        Tensor x = call.input(0);
        int n = x.dim(0), steps = x.dim(1), u = call.input(1).dim(0), gw = 4 * u, ow = 6 * u;
        SequenceOperand xs = SequenceOperand.of(x);
        float[] w = SequenceOperand.dense(call.input(1)), h0 = SequenceOperand.dense(call.input(2)), c0 = SequenceOperand.dense(call.input(3));
        boolean[] mask = call.inputs().size() == 5 ? SequenceOperand.denseBools(call.input(4)) : null;
        float[] o = Elementwise.heap(out).floats();
        int oo = out.offset(), ldo = steps * ow;
        CpuThreads.parallelFor(n, SequenceOperand.rowBlock(n, (long) steps * gw * u), (from, to) -> {
            int rows = to - from, ru = rows * u;
            float[] z = new float[4 * ru], h = new float[ru], c = new float[ru], tmp = new float[ru];
            float[] keptH = new float[ru], keptC = new float[ru];
            System.arraycopy(h0, from * u, h, 0, ru);
            System.arraycopy(c0, from * u, c, 0, ru);
            for (int s = 0; s < steps; s++) {
                int t = a.inputIndex(s, steps), at = oo + a.outputIndex(s, steps) * ow;
                for (int b = 0; b < rows; b++) {
                    for (int q = 0; q < 4; q++) System.arraycopy(xs.data(), xs.at(from + b, t) + q * u, z, q * ru + b * u, u);
                }
                for (int q = 0; q < 4; q++) Sgemm.multiply(rows, u, u, h, 0, u, 1, w, q * u, gw, 1, z, q * ru, u, true);
                boolean anyMasked = false;
                for (int b = 0; mask != null && b < rows; b++) anyMasked |= !mask[(from + b) * steps + t];
                if (anyMasked) {
                    System.arraycopy(h, 0, keptH, 0, ru);
                    System.arraycopy(c, 0, keptC, 0, ru);
                }
                cells(z, h, c, tmp, ru);
                for (int b = 0; b < rows; b++) {
                    int row = at + (from + b) * ldo;
                    if (anyMasked && !mask[(from + b) * steps + t]) {
                        System.arraycopy(keptH, b * u, h, b * u, u);
                        System.arraycopy(keptC, b * u, c, b * u, u);
                    }
                    System.arraycopy(h, b * u, o, row, u);
                    System.arraycopy(c, b * u, o, row + u, u);
                    for (int q = 0; q < 4; q++) System.arraycopy(z, q * ru + b * u, o, row + (2 + q) * u, u);
                }
            }
        });
    }

    /**
     * One step of a block of examples, gate-major {@code z = [i | f | g | o]} (each {@code ru} long):
     * activates the gates in place, then {@code c = f*c + i*g} and {@code h = o*tanh(c)}.
     */
    private void cells(float[] z, float[] h, float[] c, float[] tmp, int ru) {
        loops.unary(Op.SIGMOID, z, 0, 1, z, 0, 1, 2 * ru);
        loops.unary(Op.TANH, z, 2 * ru, 1, z, 2 * ru, 1, ru);
        loops.unary(Op.SIGMOID, z, 3 * ru, 1, z, 3 * ru, 1, ru);
        loops.binary(Op.MUL, z, ru, 1, c, 0, 1, c, 0, 1, ru);
        loops.binary(Op.MUL, z, 0, 1, z, 2 * ru, 1, tmp, 0, 1, ru);
        loops.binary(Op.ADD, c, 0, 1, tmp, 0, 1, c, 0, 1, ru);
        loops.unary(Op.TANH, c, 0, 1, tmp, 0, 1, ru);
        loops.binary(Op.MUL, z, 3 * ru, 1, tmp, 0, 1, h, 0, 1, ru);
    }

    void backward(OpCall call, Tensor out) {
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        int last = call.inputs().size();
        Tensor y = call.input(last - 2);
        int n = y.dim(0), steps = y.dim(1), u = call.input(0).dim(0), gw = 4 * u;
        float[] wt = SequenceOperand.transposed(call.input(0)), h0 = SequenceOperand.dense(call.input(1)), c0 = SequenceOperand.dense(call.input(2));
        boolean[] mask = last == 6 ? SequenceOperand.denseBools(call.input(3)) : null;
        SequenceOperand ys = SequenceOperand.of(y), gs = SequenceOperand.of(call.input(last - 1));
        float[] r = Elementwise.heap(out).floats();
        int ro = out.offset(), dwAt = ro + n * steps * gw, dh0At = dwAt + u * gw, dc0At = dh0At + n * u;
        float[] hPrev = new float[n * steps * u]; // by input time: the h each step's gates saw, for dw
        CpuThreads.parallelFor(n, SequenceOperand.rowBlock(n, (long) steps * gw * u), (from, to) -> {
            int rows = to - from, ru = rows * u;
            Block k = new Block(ru);
            for (int s = steps - 1; s >= 0; s--) {
                int t = a.inputIndex(s, steps), os = a.outputIndex(s, steps), ps = s == 0 ? -1 : a.outputIndex(s - 1, steps);
                boolean anyMasked = false;
                for (int b = 0; b < rows; b++) {
                    int yr = ys.at(from + b, os), gr = gs.at(from + b, os), bu = b * u;
                    for (int q = 0; q < 4; q++) {
                        System.arraycopy(ys.data(), yr + (2 + q) * u, k.gates, q * ru + bu, u);
                        System.arraycopy(gs.data(), gr + (2 + q) * u, k.gateGrads, q * ru + bu, u);
                    }
                    System.arraycopy(ys.data(), yr + u, k.c, bu, u);
                    System.arraycopy(gs.data(), gr, k.t1, bu, u);
                    System.arraycopy(gs.data(), gr + u, k.t2, bu, u);
                    System.arraycopy(s == 0 ? c0 : ys.data(), s == 0 ? (from + b) * u : ys.at(from + b, ps) + u, k.cPrev, bu, u);
                    System.arraycopy(s == 0 ? h0 : ys.data(), s == 0 ? (from + b) * u : ys.at(from + b, ps), hPrev, ((from + b) * steps + t) * u, u);
                    anyMasked |= mask != null && !mask[(from + b) * steps + t];
                }
                loops.binary(Op.ADD, k.dh, 0, 1, k.t1, 0, 1, k.dh, 0, 1, ru);
                loops.binary(Op.ADD, k.dc, 0, 1, k.t2, 0, 1, k.dc, 0, 1, ru);
                if (anyMasked) System.arraycopy(k.dc, 0, k.keptDc, 0, ru);
                gateGradients(k, ru);
                for (int b = 0; b < rows; b++) {
                    int dzo = ro + ((from + b) * steps + t) * gw, bu = b * u;
                    if (anyMasked && !mask[(from + b) * steps + t]) maskedStep(k, b, u, ru);
                    for (int q = 0; q < 4; q++) System.arraycopy(k.dz, q * ru + bu, r, dzo + q * u, u);
                }
                Sgemm.multiply(rows, u, gw, r, ro + (from * steps + t) * gw, steps * gw, 1, wt, 0, u, 1, k.dhNext, 0, u, false);
                for (int b = 0; anyMasked && b < rows; b++) {
                    // a masked step hands h through unchanged, beside what its (stored) gates sent back
                    if (!mask[(from + b) * steps + t]) loops.binary(Op.ADD, k.dhNext, b * u, 1, k.dh, b * u, 1, k.dhNext, b * u, 1, u);
                }
                float[] swap = k.dh;
                k.dh = k.dhNext;
                k.dhNext = swap;
            }
            System.arraycopy(k.dh, 0, r, dh0At + from * u, ru);
            System.arraycopy(k.dc, 0, r, dc0At + from * u, ru);
        });
        Sgemm.multiply(u, gw, n * steps, hPrev, 0, 1, u, r, ro, gw, 1, r, dwAt, gw, false);
    }

    /** One thread's block of examples in the backward, gate-major where four gates sit side by side. */
    private static final class Block {
        final float[] gates, gateGrads, dz, c, cPrev, t1, t2, tc, keptDc, dc;
        float[] dh, dhNext;

        Block(int ru) {
            gates = new float[4 * ru];
            gateGrads = new float[4 * ru];
            dz = new float[4 * ru];
            c = new float[ru];
            cPrev = new float[ru];
            t1 = new float[ru];
            t2 = new float[ru];
            tc = new float[ru];
            keptDc = new float[ru];
            dc = new float[ru];
            dh = new float[ru];
            dhNext = new float[ru];
        }
    }

    /**
     * dz of one step of a block into {@code k.dz} (gates i, f, g, o), and {@code k.dc} (which holds the
     * incoming gradient of c) turned into that of the previous c. With {@code dct = dc + dh·o·(1 - tanh²c)}:
     * {@code dz_i = (gi + dct·g)·i(1-i)}, {@code dz_f = (gf + dct·c_prev)·f(1-f)}, {@code dz_g = (gg + dct·i)(1-g²)},
     * {@code dz_o = (go + dh·tanh c)·o(1-o)}, {@code dc_prev = dct·f}, where {@code gi..go} are the
     * gradients of the stored gates (usually zero).
     */
    private void gateGradients(Block k, int ru) {
        float[] y = k.gates, g = k.gateGrads, tc = k.tc, t1 = k.t1, t2 = k.t2, dh = k.dh, dc = k.dc;
        int i = 0, f = ru, gg = 2 * ru, o = 3 * ru;
        loops.unary(Op.TANH, k.c, 0, 1, tc, 0, 1, ru);
        // o: (go + dh·tanh c)·o(1-o)
        loops.binary(Op.MUL, dh, 0, 1, tc, 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, o, 1, t1, 0, 1, ru);
        sigmoidGrad(t1, 0, y, o, k.dz, o, ru, t2);
        // dct = dc + dh·o·(1 - tanh²c), kept in dc
        loops.binary(Op.MUL, tc, 0, 1, tc, 0, 1, tc, 0, 1, ru);
        loops.binary(Op.SUB, ONE, 0, 0, tc, 0, 1, tc, 0, 1, ru);
        loops.binary(Op.MUL, tc, 0, 1, y, o, 1, tc, 0, 1, ru);
        loops.binary(Op.MUL, tc, 0, 1, dh, 0, 1, tc, 0, 1, ru);
        loops.binary(Op.ADD, dc, 0, 1, tc, 0, 1, dc, 0, 1, ru);
        // i: (gi + dct·g)·i(1-i);  f: (gf + dct·c_prev)·f(1-f);  g: (gg + dct·i)(1-g²)
        loops.binary(Op.MUL, dc, 0, 1, y, gg, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, i, 1, t1, 0, 1, ru);
        sigmoidGrad(t1, 0, y, i, k.dz, i, ru, t2);
        loops.binary(Op.MUL, dc, 0, 1, k.cPrev, 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, f, 1, t1, 0, 1, ru);
        sigmoidGrad(t1, 0, y, f, k.dz, f, ru, t2);
        loops.binary(Op.MUL, dc, 0, 1, y, i, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, gg, 1, t1, 0, 1, ru);
        tanhGrad(t1, 0, y, gg, k.dz, gg, ru, t2);
        // dc_prev = dct·f
        loops.binary(Op.MUL, dc, 0, 1, y, f, 1, dc, 0, 1, ru);
    }

    /**
     * Example {@code b} was masked at this step: its states passed through, so only the stored gates'
     * own gradients reach dz, and dc goes back unchanged (dh is handed through after the GEMM).
     */
    private void maskedStep(Block k, int b, int u, int ru) {
        int bu = b * u;
        System.arraycopy(k.keptDc, bu, k.dc, bu, u);
        sigmoidGrad(k.gateGrads, bu, k.gates, bu, k.dz, bu, u, k.t2);
        sigmoidGrad(k.gateGrads, ru + bu, k.gates, ru + bu, k.dz, ru + bu, u, k.t2);
        tanhGrad(k.gateGrads, 2 * ru + bu, k.gates, 2 * ru + bu, k.dz, 2 * ru + bu, u, k.t2);
        sigmoidGrad(k.gateGrads, 3 * ru + bu, k.gates, 3 * ru + bu, k.dz, 3 * ru + bu, u, k.t2);
    }

    /** {@code dz = d·s(1-s)} for the stored sigmoid {@code s}. */
    private void sigmoidGrad(float[] d, int dOff, float[] y, int s, float[] dz, int dzo, int u, float[] t2) {
        loops.binary(Op.SUB, ONE, 0, 0, y, s, 1, t2, 0, 1, u);
        loops.binary(Op.MUL, t2, 0, 1, y, s, 1, t2, 0, 1, u);
        loops.binary(Op.MUL, d, dOff, 1, t2, 0, 1, dz, dzo, 1, u);
    }

    /** {@code dz = d·(1-v²)} for the stored tanh {@code v}. */
    private void tanhGrad(float[] d, int dOff, float[] y, int v, float[] dz, int dzo, int u, float[] t2) {
        loops.binary(Op.MUL, y, v, 1, y, v, 1, t2, 0, 1, u);
        loops.binary(Op.SUB, ONE, 0, 0, t2, 0, 1, t2, 0, 1, u);
        loops.binary(Op.MUL, d, dOff, 1, t2, 0, 1, dz, dzo, 1, u);
    }
}
