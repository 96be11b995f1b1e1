package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.Arrays;

/**
 * The float32 RECURRENCE and its backward for every cell, as cuDNN and oneDNN run them; the gate math
 * is the cell's ({@link RecurrentCell}). The caller already made every step's input projection in one
 * GEMM; per step, one GEMM {@code h·w} per gate accumulates onto that projection (or onto the
 * recurrent bias of a cell that has one) in a gate-major buffer ({@code [gate 0 | gate 1 | ...]}, each
 * gate's rows side by side), the cell runs a few long vector loops over it, and the packed result is
 * written row by row: per step the states, then the cell's stored columns. The backward walks the
 * steps in reverse with one GEMM {@code da·wᵀ} per step, and sums {@code dw} at the end in one GEMM
 * over all steps' stacked previous outputs (and a recurrent bias's gradient as one column sum).
 *
 * <p>A masked step keeps the states: its rows copy them back after the cell, and in the backward the
 * cell sees a zero state gradient on those rows while the loop hands the states' gradients through.
 * With recurrent dropout (Keras 3's: one multiplier {@code m_q} per gate, fixed for the sequence) gate
 * q's product reads {@code h ∘ m_q}; the backward then runs one {@code dz_q·w_qᵀ} GEMM per gate (each
 * scaled by {@code m_q}) and sums {@code dw_q} over the stacked {@code h ∘ m_q}. A cell whose later
 * gates read something other than h (GRU with the reset gate before the product) runs those products
 * itself through {@link RecurrentCell.ForwardProduct} and {@link RecurrentCell.BackwardProduct}, which apply the same multipliers and record what
 * they read for {@code dw}.
 *
 * <p>Examples are independent, so the batch is split once into row blocks, one per thread, each
 * walking all the steps alone (no fork-join per step). A row's results do not depend on the block it
 * is in (every GEMM element is one fixed FMA chain), so the bits do not depend on the thread count.
 * A block is an object ({@link ForwardRows}, {@link BackwardRows}) whose {@code step} method runs one
 * step: invoked once per step, HotSpot compiles it as an ordinary method within a few calls, where one
 * method walking all the steps was compiled on stack, repeatedly, for tens of calls (perf/NOTES.md,
 * "The LSTM train step's spread").
 */
final class RecurrenceLoop {
    /**
     * Inputs: x [B,T,G·H], w [H,G·H], the cell's parameters ([G·H] each), its states ([B,H] each), the
     * recurrent dropout multiplier [B,G·H] if the attributes say so, the mask if any.
     */
    void forward(OpCall call, Tensor out) {
        ForwardCall c = new ForwardCall(call, out);
        CpuThreads.parallelFor(c.n, SequenceOperand.rowBlock(c.n, (long) c.steps * c.gw * c.u), (from, to) -> {
            ForwardRows block = new ForwardRows(c, from, to);
            for (int s = 0; s < c.steps; s++) block.step(s);
        });
    }

    /**
     * Inputs: w, the cell's parameters and states, the recurrent dropout multiplier and the mask if
     * any, the forward's result and its gradient. Result, flat: dx [B,T,G·H] (by input time), dw [H,G·H], each parameter's gradient, each
     * initial state's.
     */
    void backward(OpCall call, Tensor out) {
        BackwardCall c = new BackwardCall(call, out);
        CpuThreads.parallelFor(c.n, SequenceOperand.rowBlock(c.n, (long) c.steps * c.gw * c.u), (from, to) -> {
            BackwardRows block = new BackwardRows(c, from, to);
            for (int s = c.steps - 1; s >= 0; s--) block.step(s);
            block.finish();
        });
        weightGradient(c.u, c.gw, c.n * c.steps, c.hPrev, c.perGate, c.dAccAll, c.accAt, c.r, c.dwAt);
        if (c.params > 0) { // the recurrent bias: one column sum in a fixed row order
            Arrays.fill(c.r, c.dbAt, c.dbAt + c.gw, 0f);
            GeneratedLoops.accumulateRows(Op.REDUCE_SUM, c.dAccAll, 0, c.gw, c.n * c.steps, c.r, c.dbAt, c.gw);
        }
    }

    /** What a forward and a backward call share: the cell, the sizes, the initial states, the dropout multiplier, the mask. */
    private static class CallSizes {
        final OpAttrs.Recurrence a;
        final RecurrentCell math;
        final int n, steps, u, gates, gw, states, params, kept, loopGates;
        final float[] drop;
        final float[][] initial;
        final boolean[] mask;

        /** {@code wAt}: w's input, the cell's operands after it, then the mask if {@code masked}; {@code seq}: a [B, T, ...] operand. */
        CallSizes(OpCall call, int wAt, Tensor seq, boolean masked) {
            a = call.attrs(OpAttrs.Recurrence.class);
            Cell cell = a.cell();
            math = RecurrentCell.of(a);
            n = seq.dim(0);
            steps = seq.dim(1);
            u = call.input(wAt).dim(0);
            gates = cell.gates();
            gw = gates * u;
            states = cell.states();
            params = cell.parameters();
            kept = cell.outputWidth() - states;
            loopGates = math.loopGates();
            initial = new float[states][];
            for (int i = 0; i < states; i++) initial[i] = Elementwise.denseFloats(call.input(wAt + 1 + params + i));
            drop = a.recurrentDropout() ? Elementwise.denseFloats(call.input(wAt + 1 + params + states)) : null;
            mask = masked ? call.input(wAt + 1 + a.cellOperands()).toHost().bools() : null; // [B, T], row-major
        }
    }

    /** A forward call's operands and sizes, read by every row block. */
    private static final class ForwardCall extends CallSizes {
        final SequenceOperand xs;
        final int ow, oo, ldo;
        final float[] w, bias, o;

        ForwardCall(OpCall call, Tensor out) {
            super(call, 1, call.input(0), call.inputs().size() == 3 + call.attrs(OpAttrs.Recurrence.class).cellOperands());
            ow = a.cell().outputWidth() * u;
            xs = SequenceOperand.of(call.input(0));
            w = Elementwise.denseFloats(call.input(1));
            bias = params == 1 ? Elementwise.denseFloats(call.input(2)) : null;
            o = Elementwise.heap(out).floats();
            oo = out.offset();
            ldo = steps * ow;
        }
    }

    /** Examples {@code [from, from+rows)} walking the steps forward, with their states and gate-major buffers. */
    private static final class ForwardRows {
        private final ForwardCall c;
        private final int from, rows, ru;
        private final float[] acc, input, stored, scratch, dropped, hm;
        private final float[][] st, keptStates;

        ForwardRows(ForwardCall c, int from, int to) {
            this.c = c;
            this.from = from;
            rows = to - from;
            ru = rows * c.u;
            acc = new float[c.gates * ru];
            input = c.bias != null ? new float[c.gates * ru] : null;
            stored = new float[c.kept * ru];
            scratch = new float[ru];
            st = new float[c.states][ru];
            keptStates = new float[c.states][ru];
            dropped = c.drop != null ? gateMajor(c.drop, from, rows, c.gates, c.u) : null;
            hm = c.drop != null ? new float[ru] : null;
            for (int i = 0; i < c.states; i++) System.arraycopy(c.initial[i], from * c.u, st[i], 0, ru);
        }

        /** Step {@code s}: the input's rows into the GEMM's buffer, the products, the cell, the packed result's rows. */
        void step(int s) {
            int u = c.u, t = c.a.inputIndex(s, c.steps), at = c.oo + c.a.outputIndex(s, c.steps) * c.ow;
            boolean anyMasked = false;
            for (int b = 0; b < rows; b++) {
                for (int q = 0; q < c.gates; q++) {
                    int dst = q * ru + b * u;
                    System.arraycopy(c.xs.data(), c.xs.at(from + b, t) + q * u, input != null ? input : acc, dst, u);
                    if (input != null) System.arraycopy(c.bias, q * u, acc, dst, u);
                }
                anyMasked |= c.mask != null && !c.mask[(from + b) * c.steps + t];
            }
            for (int q = 0; q < c.loopGates; q++) product(q, st[0]);
            if (anyMasked) for (int i = 0; i < c.states; i++) System.arraycopy(st[i], 0, keptStates[i], 0, ru);
            c.math.forward(acc, input, st, stored, scratch, ru, this::product);
            for (int b = 0; b < rows; b++) {
                int row = at + (from + b) * c.ldo, bu = b * u;
                boolean masked = anyMasked && !c.mask[(from + b) * c.steps + t];
                for (int i = 0; i < c.states; i++) {
                    if (masked) System.arraycopy(keptStates[i], bu, st[i], bu, u);
                    System.arraycopy(st[i], bu, c.o, row + i * u, u);
                }
                for (int q = 0; q < c.kept; q++) System.arraycopy(stored, q * ru + bu, c.o, row + (c.states + q) * u, u);
            }
        }

        /** Gate q's product of this step: the loop's gates, and a cell's own ({@link RecurrentCell.ForwardProduct}). */
        void product(int q, float[] a) {
            float[] in = a;
            if (dropped != null) { // this gate's product reads a ∘ m_q
                GeneratedLoops.binary(Op.MUL, a, 0, 1, dropped, q * ru, 1, hm, 0, 1, ru);
                in = hm;
            }
            Sgemm.multiply(rows, c.u, c.u, in, 0, c.u, 1, c.w, q * c.u, c.gw, 1, acc, q * ru, c.u, true);
        }
    }

    /** A backward call's operands and sizes, and the arrays every row block writes its rows of. */
    private static final class BackwardCall extends CallSizes {
        final SequenceOperand ys, gs;
        final int hw, ro, dwAt, dbAt, dStatesAt, accAt;
        final float[] wt, r, hPrev, dAccAll;
        final boolean perGate;

        BackwardCall(OpCall call, Tensor out) {
            super(call, 0, call.input(call.inputs().size() - 2),
                    call.inputs().size() == 4 + call.attrs(OpAttrs.Recurrence.class).cellOperands());
            int last = call.inputs().size();
            wt = SequenceOperand.transposed(call.input(0));
            ys = SequenceOperand.of(call.input(last - 2));
            gs = SequenceOperand.of(call.input(last - 1));
            r = Elementwise.heap(out).floats();
            ro = out.offset();
            dwAt = ro + n * steps * gw;
            dbAt = dwAt + u * gw;
            dStatesAt = dbAt + params * gw;
            // by input time: what each step's products read, for dw: h, or per gate (h ∘ m_q with recurrent
            // dropout; a cell's own products record theirs)
            perGate = drop != null || loopGates < gates;
            hw = perGate ? gw : u;
            hPrev = new float[n * steps * hw];
            // the GEMM results' gradients by input time: dx itself unless a recurrent bias sits between them
            dAccAll = params > 0 ? new float[n * steps * gw] : r;
            accAt = params > 0 ? 0 : ro;
        }
    }

    /** Examples {@code [from, from+rows)} walking the steps in reverse, carrying their states' gradients. */
    private static final class BackwardRows {
        private final BackwardCall c;
        private final int from, rows, ru;
        private final float[] dInput, dropped, dhGate;
        private final float[][] carried, incoming, masked, dState, dPrevious;
        private final RecurrentCell.Backward k;
        private float[] dhNext;
        /** The input time of the step the cell's own products belong to. */
        private int step;

        BackwardRows(BackwardCall c, int from, int to) {
            this.c = c;
            this.from = from;
            rows = to - from;
            ru = rows * c.u;
            int states = c.states;
            dInput = new float[c.gates * ru];
            carried = new float[states][ru];
            incoming = new float[states][ru];
            masked = new float[states][ru];
            dState = new float[states][];
            dPrevious = new float[states][ru];
            k = new RecurrentCell.Backward(new float[c.kept * ru], new float[c.kept * ru], new float[states][ru],
                    new float[states][ru], dState, dInput, c.params > 0 ? new float[c.gates * ru] : dInput, dPrevious,
                    new float[ru], new float[ru]);
            dhNext = new float[ru];
            dropped = c.drop != null ? gateMajor(c.drop, from, rows, c.gates, c.u) : null;
            dhGate = c.drop != null ? new float[ru] : null;
        }

        /** Step {@code s}: the packed result's rows and their gradients in, the cell backward, dx and the carried gradients out. */
        void step(int s) {
            int u = c.u, gw = c.gw, states = c.states, steps = c.steps;
            int t = c.a.inputIndex(s, steps), os = c.a.outputIndex(s, steps), ps = s == 0 ? -1 : c.a.outputIndex(s - 1, steps);
            float[] ys = c.ys.data(), gs = c.gs.data();
            boolean anyMasked = false;
            for (int b = 0; b < rows; b++) {
                int yr = c.ys.at(from + b, os), gr = c.gs.at(from + b, os), bu = b * u;
                for (int q = 0; q < c.kept; q++) {
                    System.arraycopy(ys, yr + (states + q) * u, k.stored(), q * ru + bu, u);
                    System.arraycopy(gs, gr + (states + q) * u, k.storedGrads(), q * ru + bu, u);
                }
                for (int i = 0; i < states; i++) {
                    System.arraycopy(ys, yr + i * u, k.current()[i], bu, u);
                    System.arraycopy(gs, gr + i * u, incoming[i], bu, u);
                    if (s == 0) System.arraycopy(c.initial[i], (from + b) * u, k.previous()[i], bu, u);
                    else System.arraycopy(ys, c.ys.at(from + b, ps) + i * u, k.previous()[i], bu, u);
                }
                for (int q = 0; q < (c.perGate ? c.loopGates : 1); q++) recordRead(k.previous()[0], b, t, q);
                anyMasked |= c.mask != null && !c.mask[(from + b) * steps + t];
            }
            for (int i = 0; i < states; i++) {
                GeneratedLoops.binary(Op.ADD, carried[i], 0, 1, incoming[i], 0, 1, carried[i], 0, 1, ru);
                dState[i] = carried[i];
                if (anyMasked) { // a masked step's gates did not touch the states: no gradient reaches them there
                    System.arraycopy(carried[i], 0, masked[i], 0, ru);
                    for (int b = 0; b < rows; b++) if (!c.mask[(from + b) * steps + t]) Arrays.fill(masked[i], b * u, b * u + u, 0f);
                    dState[i] = masked[i];
                }
                Arrays.fill(dPrevious[i], 0f);
            }
            step = t;
            c.math.backward(k, ru, this::product);
            for (int b = 0; b < rows; b++) {
                int bu = b * u, row = (from + b) * steps + t;
                if (anyMasked && !c.mask[row]) { // the states went through unchanged, and so do their gradients
                    for (int i = 0; i < states; i++) GeneratedLoops.binary(Op.ADD, dPrevious[i], bu, 1, carried[i], bu, 1, dPrevious[i], bu, 1, u);
                }
                for (int q = 0; q < c.gates; q++) System.arraycopy(dInput, q * ru + bu, c.r, c.ro + row * gw + q * u, u);
                if (c.params > 0) for (int q = 0; q < c.gates; q++) System.arraycopy(k.dAcc(), q * ru + bu, c.dAccAll, row * gw + q * u, u);
            }
            int accRow = c.accAt + (from * steps + t) * gw;
            if (c.drop == null) {
                Sgemm.multiply(rows, u, c.loopGates * u, c.dAccAll, accRow, steps * gw, 1, c.wt, 0, u, 1, dhNext, 0, u, false);
            } else { // Σ_q (dz_q·w_qᵀ) ∘ m_q, in gate order
                for (int q = 0; q < c.loopGates; q++) {
                    Sgemm.multiply(rows, u, u, c.dAccAll, accRow + q * u, steps * gw, 1, c.wt, q * u * u, u, 1, dhGate, 0, u, false);
                    if (q == 0) GeneratedLoops.binary(Op.MUL, dhGate, 0, 1, dropped, 0, 1, dhNext, 0, 1, ru);
                    else {
                        GeneratedLoops.binary(Op.MUL, dhGate, 0, 1, dropped, q * ru, 1, dhGate, 0, 1, ru);
                        GeneratedLoops.binary(Op.ADD, dhNext, 0, 1, dhGate, 0, 1, dhNext, 0, 1, ru);
                    }
                }
            }
            GeneratedLoops.binary(Op.ADD, dhNext, 0, 1, dPrevious[0], 0, 1, dhNext, 0, 1, ru);
            // carry on: h's gradient through w and directly, the other states' directly
            float[] swap = carried[0];
            carried[0] = dhNext;
            dhNext = swap;
            for (int i = 1; i < states; i++) {
                swap = carried[i];
                carried[i] = dPrevious[i];
                dPrevious[i] = swap;
            }
        }

        /** The initial states' gradients: what is carried past the first step. */
        void finish() {
            for (int i = 0; i < c.states; i++) System.arraycopy(carried[i], 0, c.r, c.dStatesAt + i * c.n * c.u + from * c.u, ru);
        }

        /** A cell's own product's gradient ({@link RecurrentCell.BackwardProduct}). */
        void product(int q, float[] dAcc, float[] a, float[] out) {
            int u = c.u;
            for (int b = 0; b < rows; b++) recordRead(a, b, step, q);
            Sgemm.multiply(rows, u, u, dAcc, q * ru, u, 1, c.wt, q * u * u, u, 1, out, 0, u, false);
            if (dropped != null) GeneratedLoops.binary(Op.MUL, out, 0, 1, dropped, q * ru, 1, out, 0, 1, ru);
        }

        /** Row b of {@code a} (∘ m_q with recurrent dropout): what gate q's product read at input time t, kept for dw. */
        private void recordRead(float[] a, int b, int t, int q) {
            int u = c.u, hAt = ((from + b) * c.steps + t) * c.hw + q * u;
            if (c.drop == null) System.arraycopy(a, b * u, c.hPrev, hAt, u);
            else GeneratedLoops.binary(Op.MUL, a, b * u, 1, c.drop, (from + b) * c.gw + q * u, 1, c.hPrev, hAt, 1, u);
        }
    }

    /** Rows {@code [from, from+rows)} of the [B, G·H] multiplier {@code drop}, gate-major ({@code [gate][row][unit]}) as the cells' buffers. */
    private static float[] gateMajor(float[] drop, int from, int rows, int gates, int u) {
        float[] d = new float[gates * rows * u];
        for (int q = 0; q < gates; q++) {
            for (int b = 0; b < rows; b++) System.arraycopy(drop, (from + b) * gates * u + q * u, d, (q * rows + b) * u, u);
        }
        return d;
    }

    /**
     * {@code dw [u, gw] = hPrevᵀ · dAcc} over all {@code rows} (examples × steps), written at {@code r[dwAt..]};
     * {@code perGate}: hPrev holds each gate's own input side by side ([rows, gw], h ∘ m_q), so gate q's
     * block of dw is {@code hPrev_qᵀ · dAcc_q}.
     * Computed as {@code dwᵀ = dAccᵀ · hPrev} and transposed: with {@code gw} rows the product takes
     * Sgemm's packed path (dAcc's 4 KB-strided rows read once into panels), which measured about 1.5x
     * faster than {@code u} rows reading dAcc in place (perf/NOTES.md, "Recurrent layers, third pass").
     * Each element is the same FMA chain over the rows in order either way: the same bits.
     */
    private static void weightGradient(int u, int gw, int rows, float[] hPrev, boolean perGate, float[] dAcc, int accAt, float[] r, int dwAt) {
        float[] dwT = new float[gw * u];
        if (!perGate) Sgemm.multiply(gw, u, rows, dAcc, accAt, 1, gw, hPrev, 0, u, 1, dwT, 0, u, false);
        else for (int q = 0; q < gw / u; q++) Sgemm.multiply(u, u, rows, dAcc, accAt + q * u, 1, gw, hPrev, q * u, gw, 1, dwT, q * u * u, u, false);
        for (int k = 0; k < u; k++) {
            for (int j = 0; j < gw; j++) r[dwAt + k * gw + j] = dwT[j * u + k];
        }
    }
}
