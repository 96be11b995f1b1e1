package dev.javelin.kernels.cpu;

import static dev.javelin.kernels.ir.CellStep.Buffer.*;

import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.kernels.ir.CellStep;
import dev.javelin.kernels.ir.CellStep.Buffer;
import dev.javelin.kernels.ir.RecurrentCells;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The float32 RECURRENCE and its backward for every cell, as cuDNN and oneDNN run them; the gate math
 * is the cell's ({@link CellKernels}), whose kernels read and write every operand where it lives. The
 * caller already made every step's input projection in one GEMM; per step, one GEMM {@code h·w}
 * accumulates onto that projection (or onto the recurrent bias of a cell that has one) in a
 * {@code [rows, G·H]} buffer, and the cell reads it and the previous step's states (in the packed
 * result, or the initial states) and writes this step's states and stored columns into the packed
 * result. The backward walks the steps in reverse, the cell reading the packed result and its gradient
 * in place and writing dx in place, with one GEMM {@code da·wᵀ} per step; it sums {@code dw} at the end
 * in one GEMM over all steps' stacked previous outputs (and a recurrent bias's gradient as one column sum).
 *
 * <p>A masked step keeps the states: its rows copy the previous ones over the cell's, and in the backward
 * the cell sees a zero state gradient on those rows while the loop hands the states' gradients through.
 * With recurrent dropout (Keras 3's: one multiplier {@code m_q} per gate, fixed for the sequence) gate
 * q's product reads {@code h ∘ m_q}; the backward then runs one {@code dz_q·w_qᵀ} GEMM per gate (each
 * scaled by {@code m_q}) and sums {@code dw_q} over the stacked {@code h ∘ m_q}. A cell whose later
 * gates read something other than h (GRU with the reset gate before the product) has those products run
 * between its kernels, with the same multipliers, recording what they read for {@code dw}.
 *
 * <p>Examples are independent, so the batch is split once into row blocks, one per thread, each
 * walking all the steps alone (no fork-join per step). A row's results do not depend on the block it
 * is in (every GEMM element is one fixed FMA chain), so the bits do not depend on the thread count.
 * A block is an object ({@link Forward.Block}, {@link Backward.Block}) whose {@code step} method runs one
 * step: invoked once per step, HotSpot compiles it as an ordinary method within a few calls, where one
 * method walking all the steps was compiled on stack, repeatedly, for tens of calls (perf/NOTES.md,
 * "The LSTM train step's spread").
 */
final class RecurrenceLoop {
    /** The states, their values before the step, their gradients reaching the cell and those it passes back. */
    private static final Buffer[] STATE = {H, C}, PREVIOUS = {H_PREV, C_PREV}, D_STATE = {D_H, D_C}, D_PREVIOUS = {D_H_PREV, D_C_PREV};

    /**
     * Inputs: x [B,T,G·H], w [H,G·H], the cell's parameters ([G·H] each), its states ([B,H] each), the
     * recurrent dropout multiplier [B,G·H] if the attributes say so, the mask if any.
     */
    void forward(OpCall call, Tensor out) {
        Forward c = new Forward(call, out);
        CpuThreads.parallelFor(c.n, c.rowBlock(), (from, to) -> {
            Forward.Block block = c.new Block(from, to);
            for (int s = 0; s < c.steps; s++) block.step(s);
        });
    }

    /**
     * Inputs: w, the cell's parameters and states, the recurrent dropout multiplier and the mask if
     * any, the forward's result and its gradient. Result, flat: dx [B,T,G·H] (by input time), dw [H,G·H],
     * each parameter's gradient, each initial state's.
     */
    void backward(OpCall call, Tensor out) {
        Backward c = new Backward(call, out);
        CpuThreads.parallelFor(c.n, c.rowBlock(), (from, to) -> {
            Backward.Block block = c.new Block(from, to);
            for (int s = c.steps - 1; s >= 0; s--) block.step(s);
            block.finish();
        });
        // dw = hPrevᵀ·dAcc over all steps' rows (per gate: hPrev_qᵀ·dAcc_q, what gate q's products read), and a recurrent
        // bias's gradient, dAcc's column sums, read alongside (Sgemm's sums: the rows added in order)
        for (int q = 0, gates = c.perGate ? c.a.cell().gates() : 1, cols = c.gw / gates; q < gates; q++) {
            Sgemm.multiply(c.u, cols, c.n * c.steps, c.hPrev, q * c.u, 1, c.hw, c.dAccAll, c.accAt + q * cols, c.gw, 1,
                    c.r, c.dwAt + q * cols, c.gw, false, null, c.params > 0 ? c.r : null, c.dbAt + q * cols);
        }
    }

    /** What a forward and a backward call share: the cell, the sizes, the initial states, the dropout multiplier, the mask. */
    private static class Call {
        final OpAttrs.Recurrence a;
        final CellKernels cell;
        final int n, steps, u, gw, states, params;
        final float[] drop;
        final float[][] initial;
        final boolean[] mask;

        /** {@code wAt}: w's input, the cell's operands after it, then the mask if {@code masked}; {@code seq}: a [B, T, ...] operand. */
        Call(OpCall call, int wAt, Tensor seq, boolean masked) {
            a = call.attrs(OpAttrs.Recurrence.class);
            cell = CellKernels.of(a);
            n = seq.dim(0);
            steps = seq.dim(1);
            u = call.input(wAt).dim(0);
            gw = a.cell().gates() * u;
            states = a.cell().states();
            params = a.cell().parameters();
            initial = new float[states][];
            for (int i = 0; i < states; i++) initial[i] = Elementwise.denseFloats(call.input(wAt + 1 + params + i));
            drop = a.recurrentDropout() ? Elementwise.denseFloats(call.input(wAt + 1 + params + states)) : null;
            mask = masked ? call.input(wAt + 1 + a.cellOperands()).toHost().bools() : null; // [B, T], row-major
        }

        /** Examples per block: one block per thread, or all on the caller when the whole loop is small. */
        int rowBlock() {
            if ((long) n * steps * gw * u < CpuThreads.SMALL_WORK) return Math.max(1, n);
            int threads = Math.min(n, CpuThreads.threads());
            return (n + threads - 1) / threads;
        }

        /** Whether example b's step at input time t is masked: it keeps the states. */
        boolean masked(int b, int t) {
            return mask != null && !mask[b * steps + t];
        }

        /** A thread's examples {@code [from, from+rows)}. */
        class RowBlock {
            final int from, rows;

            RowBlock(int from, int to) {
                this.from = from;
                rows = to - from;
            }

            /** Initial state i's rows. */
            Rows initial(int i) {
                return new Rows(initial[i], from * u, u);
            }

            /** {@code out}'s rows = {@code a}'s rows ∘ m_q, gate q's recurrent dropout; a copy without dropout. */
            void dropout(Rows a, int q, Rows out) {
                for (int b = 0; b < rows; b++) {
                    if (drop == null) System.arraycopy(a.a(), a.row(b), out.a(), out.row(b), u);
                    else GeneratedLoops.binary(Op.MUL, a.a(), a.row(b), 1, drop, (from + b) * gw + q * u, 1, out.a(), out.row(b), 1, u);
                }
            }
        }
    }

    /** A forward call's operands and sizes, read by every row block. */
    private static final class Forward extends Call {
        final Sequence xs, ys;
        final float[] w, bias;

        Forward(OpCall call, Tensor out) {
            super(call, 1, call.input(0), call.inputs().size() == 3 + call.attrs(OpAttrs.Recurrence.class).cellOperands());
            xs = Sequence.of(call.input(0));
            ys = Sequence.of(out); // the packed result: a fresh dense tensor, written in place
            w = Elementwise.denseFloats(call.input(1));
            bias = params == 1 ? Elementwise.denseFloats(call.input(2)) : null;
        }

        /** Examples {@code [from, from+rows)} walking the steps forward. */
        final class Block extends RowBlock {
            private final float[] acc = new float[rows * gw], scratch = new float[rows * u], dropped = new float[drop != null ? rows * u : 0];

            Block(int from, int to) {
                super(from, to);
            }

            /** Step {@code s}: the GEMM's base and the products into acc, the cell into the packed result, the masked rows' states kept. */
            void step(int s) {
                int t = a.inputIndex(s, steps), os = a.outputIndex(s, steps), ps = s == 0 ? -1 : a.outputIndex(s - 1, steps);
                Map<Buffer, Rows> reads = new EnumMap<>(Buffer.class), writes = new EnumMap<>(Buffer.class);
                for (int i = 0; i < states; i++) {
                    reads.put(STATE[i], ps < 0 ? initial(i) : ys.rows(from, ps).columns(i * u));
                    writes.put(STATE[i], ys.rows(from, os).columns(i * u));
                }
                Rows x = xs.rows(from, t), stored = ys.rows(from, os).columns(states * u), tmp = new Rows(scratch, 0, u);
                // the products' base: x_t, or the recurrent bias (x_t then being the cell's INPUT)
                for (int b = 0; b < rows; b++) System.arraycopy(bias != null ? bias : x.a(), bias != null ? 0 : x.row(b), acc, b * gw, gw);
                for (int q = 0, k = drop == null ? cell.loopGates() : 1; q < cell.loopGates(); q += k) product(q, k, reads.get(H));
                reads.putAll(Map.of(ACC, new Rows(acc, 0, gw), INPUT, x, STORED, stored, SCRATCH, tmp));
                writes.putAll(Map.of(STORED, stored, SCRATCH, tmp));
                cell.run(cell.forward(), reads, writes, rows, u, p -> product(p.gate(), 1, reads.get(p.read())));
                for (int b = 0; b < rows; b++) {
                    for (int i = 0; masked(from + b, t) && i < states; i++) {
                        Rows before = reads.get(STATE[i]), after = writes.get(STATE[i]);
                        System.arraycopy(before.a(), before.row(b), after.a(), after.row(b), u);
                    }
                }
            }

            /** acc's gates {@code [q, q+gates)} += {@code (a ∘ m_q)·w_q} (one gate with recurrent dropout): the loop's products and a cell's own. */
            private void product(int q, int gates, Rows a) {
                if (drop != null) dropout(a, q, a = new Rows(dropped, 0, u));
                Sgemm.multiply(rows, gates * u, u, a.a(), a.at(), a.stride(), 1, w, q * u, gw, 1, acc, q * u, gw, true);
            }
        }
    }

    /** A backward call's operands and sizes, and the arrays every row block writes its rows of. */
    private static final class Backward extends Call {
        final Sequence ys, gs;
        final int hw, ro, dwAt, dbAt, dStatesAt, accAt;
        final float[] wt, r, hPrev, dAccAll;
        final boolean perGate;

        Backward(OpCall call, Tensor out) {
            super(call, 0, call.input(call.inputs().size() - 2),
                    call.inputs().size() == 4 + call.attrs(OpAttrs.Recurrence.class).cellOperands());
            int last = call.inputs().size();
            Tensor w = call.input(0); // read transposed, [G·H, H] dense: the B operand of a step's GEMM
            wt = Elementwise.denseFloats(Tensor.wrap(w.storage(), Shape.of(w.dim(1), w.dim(0)), new int[] {w.stride(1), w.stride(0)}, w.offset()));
            ys = Sequence.of(call.input(last - 2));
            gs = Sequence.of(call.input(last - 1));
            r = Elementwise.heap(out).floats();
            ro = out.offset();
            dwAt = ro + n * steps * gw;
            dbAt = dwAt + u * gw;
            dStatesAt = dbAt + params * gw;
            // by input time: what each step's products read, for dw: h, or per gate (h ∘ m_q with recurrent
            // dropout; a cell's own products record theirs)
            perGate = drop != null || cell.loopGates() < a.cell().gates();
            hw = perGate ? gw : u;
            hPrev = new float[n * steps * hw];
            // the GEMM results' gradients by input time: dx itself unless a recurrent bias sits between them
            dAccAll = params > 0 ? new float[n * steps * gw] : r;
            accAt = params > 0 ? 0 : ro;
        }

        /** Examples {@code [from, from+rows)} walking the steps in reverse, carrying their states' gradients. */
        final class Block extends RowBlock {
            private final int ru = rows * u;
            private final float[] dhNext = new float[ru], dhGate = new float[ru], scratch = new float[ru], scratch2 = new float[ru];
            private final float[][] carried = new float[states][ru], masked = new float[states][ru], dPrevious = new float[states][ru];
            /** The input time of the step being run. */
            private int t;

            Block(int from, int to) {
                super(from, to);
            }

            /** Step {@code s}: the states' gradients in, the cell backward reading the packed result in place and writing dx, the carried gradients out. */
            void step(int s) {
                int os = a.outputIndex(s, steps), ps = s == 0 ? -1 : a.outputIndex(s - 1, steps);
                t = a.inputIndex(s, steps);
                Map<Buffer, Rows> reads = new EnumMap<>(Buffer.class), writes = new EnumMap<>(Buffer.class);
                Rows y = ys.rows(from, os), g = gs.rows(from, os);
                boolean anyMasked = false;
                for (int b = 0; b < rows; b++) anyMasked |= masked(from + b, t);
                for (int i = 0; i < states; i++) {
                    // the gradient reaching state i: what later steps carried plus this step's output's
                    for (int b = 0; b < rows; b++) GeneratedLoops.binary(Op.ADD, carried[i], b * u, 1, g.a(), g.row(b) + i * u, 1, carried[i], b * u, 1, u);
                    float[] dState = carried[i];
                    if (anyMasked) { // a masked step's gates did not touch the states: no gradient reaches them there
                        dState = masked[i];
                        System.arraycopy(carried[i], 0, dState, 0, ru);
                        for (int b = 0; b < rows; b++) if (masked(from + b, t)) Arrays.fill(dState, b * u, b * u + u, 0f);
                    }
                    Arrays.fill(dPrevious[i], 0f);
                    reads.put(STATE[i], y.columns(i * u));
                    reads.put(PREVIOUS[i], ps < 0 ? initial(i) : ys.rows(from, ps).columns(i * u));
                    reads.put(D_STATE[i], new Rows(dState, 0, u));
                    writes.put(D_PREVIOUS[i], new Rows(dPrevious[i], 0, u));
                }
                Rows dx = new Rows(r, ro + (from * steps + t) * gw, steps * gw), dAcc = new Rows(dAccAll, accAt + (from * steps + t) * gw, steps * gw);
                Rows tmp = new Rows(scratch, 0, u), tmp2 = new Rows(scratch2, 0, u);
                reads.putAll(Map.of(STORED, y.columns(states * u), STORED_GRAD, g.columns(states * u), SCRATCH, tmp, SCRATCH2, tmp2));
                writes.putAll(Map.of(D_INPUT, dx, D_ACC, dAcc, SCRATCH, tmp, SCRATCH2, tmp2));
                for (int q = 0; q < (perGate ? cell.loopGates() : 1); q++) record(reads.get(H_PREV), q);
                cell.run(cell.backward(), reads, writes, rows, u, p -> { // a cell's own product: to = (dx_q·w_qᵀ) ∘ m_q
                    int q = p.gate();
                    Rows to = writes.get(p.write());
                    record(reads.get(p.read()), q);
                    Sgemm.multiply(rows, u, u, r, dx.at() + q * u, dx.stride(), 1, wt, q * u * u, u, 1, to.a(), to.at(), to.stride(), false);
                    if (drop != null) dropout(to, q, to);
                });
                for (int b = 0; b < rows; b++) { // a masked row's states went through unchanged, and so do their gradients
                    for (int i = 0; masked(from + b, t) && i < states; i++) {
                        GeneratedLoops.binary(Op.ADD, dPrevious[i], b * u, 1, carried[i], b * u, 1, dPrevious[i], b * u, 1, u);
                    }
                }
                // h's gradient through w: dz·wᵀ over the loop gates in one GEMM, or with dropout Σ_q (dz_q·w_qᵀ) ∘ m_q in gate order
                for (int q = 0, k = drop == null ? cell.loopGates() : 1; q < cell.loopGates(); q += k) {
                    Rows to = new Rows(q == 0 ? dhNext : dhGate, 0, u);
                    Sgemm.multiply(rows, u, k * u, dAccAll, dAcc.at() + q * u, dAcc.stride(), 1, wt, q * u * u, u, 1, to.a(), 0, u, false);
                    if (drop != null) dropout(to, q, to);
                    if (q > 0) GeneratedLoops.binary(Op.ADD, dhNext, 0, 1, dhGate, 0, 1, dhNext, 0, 1, ru);
                }
                GeneratedLoops.binary(Op.ADD, dhNext, 0, 1, dPrevious[0], 0, 1, dPrevious[0], 0, 1, ru);
                // carry on: h's gradient through w and directly, the other states' directly
                for (int i = 0; i < states; i++) {
                    float[] swap = carried[i];
                    carried[i] = dPrevious[i];
                    dPrevious[i] = swap;
                }
            }

            /** The initial states' gradients: what is carried past the first step. */
            void finish() {
                for (int i = 0; i < states; i++) System.arraycopy(carried[i], 0, r, dStatesAt + i * n * u + from * u, ru);
            }

            /** What gate q's product read at this step ({@code a ∘ m_q} with recurrent dropout), kept for dw. */
            private void record(Rows a, int q) {
                dropout(a, q, new Rows(hPrev, (from * steps + t) * hw + q * u, steps * hw));
            }
        }
    }

    /**
     * The gate math of one cell and its gradient: the kernels {@link RecurrentCells} defines, generated from
     * the kernel IR, kept per cell and activations; and the gates whose products the loop runs before the
     * cell, the first {@code loopGates}, which read h.
     */
    private record CellKernels(CellStep forward, CellStep backward, Map<CellStep.Kernel, FusedKernel> compiled, int loopGates) {
        private static final Map<List<Object>, CellKernels> CELLS = new ConcurrentHashMap<>();

        static CellKernels of(OpAttrs.Recurrence a) {
            return CELLS.computeIfAbsent(List.of(a.cell(), a.activation(), a.recurrentActivation()), key -> {
                CellStep forward = RecurrentCells.forward(a.cell(), a.activation(), a.recurrentActivation());
                CellStep backward = RecurrentCells.backward(a.cell(), a.activation(), a.recurrentActivation());
                Map<CellStep.Kernel, FusedKernel> compiled = new IdentityHashMap<>();
                int products = 0;
                for (CellStep.Phase p : forward.phases()) products += p instanceof CellStep.Product ? 1 : 0;
                for (CellStep step : List.of(forward, backward)) {
                    for (CellStep.Phase p : step.phases()) if (p instanceof CellStep.Kernel k) compiled.put(k, GeneratedLoops.compile(k.ir()));
                }
                return new CellKernels(forward, backward, compiled, a.cell().gates() - products);
            });
        }

        /**
         * Runs a step's phases over {@code rows} rows of {@code u} units: each kernel with its inputs where
         * {@code reads} says and its results where {@code writes} says, at its gates' columns ({@code q·u});
         * each gate product a cell runs itself (GRU with the reset gate before the product) through {@code products}.
         */
        void run(CellStep step, Map<Buffer, Rows> reads, Map<Buffer, Rows> writes, int rows, int u, Consumer<CellStep.Product> products) {
            for (CellStep.Phase phase : step.phases()) {
                if (!(phase instanceof CellStep.Kernel p)) {
                    products.accept((CellStep.Product) phase);
                    continue;
                }
                int n = p.slots().size(), inputs = p.ir().loads().size();
                Object[] arrays = new Object[n];
                int[] offsets = new int[n], strides = new int[n];
                int[][] maps = new int[n][]; // none gathered
                FusedKernel kernel = compiled.get(p);
                for (int s = 0; s < n; s++) {
                    CellStep.Operand o = p.slots().get(s);
                    Rows at = (s < inputs ? reads : writes).get(o.buffer());
                    arrays[s] = at.a();
                    offsets[s] = at.at() + o.gate() * u;
                    strides[s] = at.stride();
                }
                // row by row: while the generated code takes over from the interpreter, each row is an invocation
                // of a few vectors, which HotSpot compiles within a few calls (perf/NOTES.md, "The LSTM train step's first call")
                for (int b = 0; b < rows; b++) {
                    kernel.run(arrays, offsets, maps, u);
                    for (int s = 0; s < n; s++) offsets[s] += strides[s];
                }
            }
        }
    }

    /** Rows of a float32 matrix inside {@code a}: row b starts at {@code at + b·stride}. */
    private record Rows(float[] a, int at, int stride) {
        int row(int b) {
            return at + b * stride;
        }

        Rows columns(int c) {
            return new Rows(a, at + c, stride);
        }
    }

    /** A float32 {@code [batch, time, width]} operand: read in place when its last axis is dense (any batch and time strides), else from a dense copy. */
    private record Sequence(float[] data, int offset, int batchStride, int stepStride) {
        static Sequence of(Tensor t) {
            int[] s = t.strides();
            if (s[2] == 1 || t.dim(2) == 1) return new Sequence(Elementwise.heap(t).floats(), t.offset(), s[0], s[1]);
            return new Sequence(Elementwise.denseFloats(t), 0, t.dim(1) * t.dim(2), t.dim(2));
        }

        /** Step t's rows from example {@code from}. */
        Rows rows(int from, int t) {
            return new Rows(data, offset + from * batchStride + t * stepStride, batchStride);
        }
    }
}
