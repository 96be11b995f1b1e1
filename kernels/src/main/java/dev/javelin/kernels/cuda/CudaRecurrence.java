package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.CudaMatmul.Operand;
import dev.javelin.kernels.cuda.CudaMatmul.Problem;
import dev.javelin.kernels.cuda.DeviceSlots.Slot;
import dev.javelin.kernels.ir.CellStep;
import dev.javelin.kernels.ir.CellStep.Buffer;
import dev.javelin.kernels.ir.RecurrentCells;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The float32 RECURRENCE and RECURRENCE_BACKWARD on the device, as the CPU's {@code RecurrenceLoop}
 * runs them (the same operands, gate orders, masks, directions and recurrent dropout): a loop on
 * the host over the time steps whose work all stays on the device. Per step, the recurrent product
 * {@code h·w} is one SGEMM ({@link CudaMatmul}); the cell's gate math is the kernels
 * {@link RecurrentCells} defines, rendered as PTX ({@link DeviceSlots}) with every operand read and
 * written where it lives: the step's columns of the projected input, the previous step's states and
 * this step's states and stored gates in the packed result. A masked step's rows then take back the
 * previous states (one select per state). The backward walks the steps in reverse with one
 * {@code da·wᵀ} GEMM per step, records what each product read, and computes {@code dw} as one GEMM
 * over all steps (per gate where the gates read different inputs) and a recurrent bias's gradient as
 * one more (a row of ones times the stacked {@code da}).
 *
 * <pre>{@code
 * CudaRecurrence.forward(runner, call, out);   // enqueues the whole loop
 * }</pre>
 */
final class CudaRecurrence {
    private static final int F = 4; // bytes per float32

    private CudaRecurrence() {}

    /** Inputs as {@code Op.RECURRENCE} documents: x [B,T,G·H], w [H,G·H], parameters, states, dropout multiplier, mask. */
    static void forward(KernelRunner r, OpCall call, Tensor out) {
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        Cell cell = a.cell();
        CellStep step = RecurrentCells.forward(cell, a.activation(), a.recurrentActivation());
        Tensor x = call.input(0), w = call.input(1);
        int n = x.dim(0), steps = x.dim(1), u = w.dim(0), gates = cell.gates(), gw = gates * u;
        int states = cell.states(), params = cell.parameters(), ow = cell.outputWidth() * u, ldo = steps * ow;
        int loopGates = gates - products(step);
        Tensor drop = a.recurrentDropout() ? call.input(2 + params + states) : null;
        Tensor mask = call.inputs().size() == 3 + a.cellOperands() ? call.input(2 + a.cellOperands()) : null;
        long outBase = CudaKernels.address(out, true) + (long) out.offset() * F;
        Operand wOp = rowMajor(r, w);
        long acc = DeviceSlots.scratch(r, (long) n * gw), prod = DeviceSlots.scratch(r, (long) n * gw);
        long scratch = DeviceSlots.scratch(r, (long) n * u), dropped = drop != null ? DeviceSlots.scratch(r, (long) n * u) : 0;
        Tensor accTensor = Tensor.wrap(new RawStorage(call.device(), DType.FLOAT32, n * gw, acc), dev.javelin.tensor.Shape.of(n, gw));
        Operand h0 = rowMajor(r, call.input(2 + params));
        Slot bias = params > 0 ? new Slot(Slot.of(call.input(2), 0, 0, 0).address(), DType.FLOAT32, 0, call.input(2).stride(0)) : null;
        for (int s = 0; s < steps; s++) {
            int t = a.inputIndex(s, steps), os = a.outputIndex(s, steps), ps = s == 0 ? -1 : a.outputIndex(s - 1, steps);
            Slot xt = Slot.of(x, (long) t * x.stride(1), 0, 2);
            Slot[] prev = new Slot[states], cur = new Slot[states];
            for (int i = 0; i < states; i++) {
                prev[i] = ps < 0 ? Slot.of(call.input(2 + params + i), 0, 0, 1) : Slot.rows(outBase + ((long) ps * ow + i * u) * F, ldo);
                cur[i] = Slot.rows(outBase + ((long) os * ow + i * u) * F, ldo);
            }
            Operand h = ps < 0 ? h0 : new Operand(prev[0].address(), ldo, 0);
            // the loop gates' products, onto x_t (or onto the recurrent bias, x_t then being the cell's INPUT)
            Slot base = params > 0 ? bias : xt;
            GemmEpilogue onto = drop == null && loopGates == gates ? addOnto(x, t, call, params, accTensor) : null;
            if (onto != null && CudaMatmul.takes(onto, 1)) { // acc = base + h·w as the GEMM stores it (h·w itself is not): one launch
                CudaMatmul.gemm(r, new Problem(DType.FLOAT32, 1, n, gw, u, h, wOp, null), onto);
            } else {
                if (drop == null) {
                    gemm(r, n, loopGates * u, u, h, wOp, new Operand(prod, gw, 0));
                } else {
                    for (int q = 0; q < loopGates; q++) {
                        DeviceSlots.run(r, DeviceSlots.MUL, n, u, List.of(prev[0], Slot.of(drop, (long) q * u * drop.stride(1), 0, 1), Slot.rows(dropped, u)));
                        gemm(r, n, u, u, new Operand(dropped, u, 0), shift(wOp, q * u), new Operand(prod + (long) q * u * F, gw, 0));
                    }
                }
                DeviceSlots.run(r, DeviceSlots.ADD, n, loopGates * u, List.of(base, Slot.rows(prod, gw), Slot.rows(acc, gw)));
            }
            Map<Buffer, Slot> reads = new EnumMap<>(Buffer.class), writes = new EnumMap<>(Buffer.class);
            reads.put(Buffer.ACC, Slot.rows(acc, gw));
            reads.put(Buffer.INPUT, xt);
            reads.put(Buffer.H, prev[0]);
            writes.put(Buffer.H, cur[0]);
            if (states > 1) {
                reads.put(Buffer.C, prev[1]);
                writes.put(Buffer.C, cur[1]);
            }
            Slot stored = Slot.rows(outBase + ((long) os * ow + states * u) * F, ldo);
            reads.put(Buffer.STORED, stored);
            writes.put(Buffer.STORED, stored);
            reads.put(Buffer.SCRATCH, Slot.rows(scratch, u));
            writes.put(Buffer.SCRATCH, Slot.rows(scratch, u));
            for (CellStep.Phase phase : step.phases()) {
                switch (phase) {
                    case CellStep.Kernel k -> runCell(r, k, n, u, reads, writes);
                    case CellStep.Product p -> { // a gate the cell multiplies itself: acc_q = x_q + (read ∘ m_q)·w_q
                        int q = p.gate();
                        Slot read = reads.get(p.read());
                        if (drop != null) {
                            DeviceSlots.run(r, DeviceSlots.MUL, n, u, List.of(read, Slot.of(drop, (long) q * u * drop.stride(1), 0, 1), Slot.rows(dropped, u)));
                            read = Slot.rows(dropped, u);
                        }
                        gemm(r, n, u, u, new Operand(read.address(), read.rowStride(), 0), shift(wOp, q * u), new Operand(prod + (long) q * u * F, gw, 0));
                        DeviceSlots.run(r, DeviceSlots.ADD, n, u, List.of(base.columns(q * u), Slot.rows(prod + (long) q * u * F, gw),
                                Slot.rows(acc + (long) q * u * F, gw)));
                    }
                }
            }
            if (mask != null) { // a masked row keeps its states
                Slot m = new Slot(CudaKernels.address(mask, false) + mask.offset() + (long) t * mask.stride(1), DType.BOOL, mask.stride(0), 0);
                for (int i = 0; i < states; i++) DeviceSlots.run(r, DeviceSlots.SELECT, n, u, List.of(m, cur[i], prev[i], cur[i]));
            }
        }
    }

    /**
     * Inputs: w, the parameters, the states, the dropout multiplier and the mask if any, the forward's
     * result and its gradient. Result, flat: dx [B,T,G·H] by input time, dw [H,G·H], the parameters'
     * gradients, the initial states'.
     */
    static void backward(KernelRunner r, OpCall call, Tensor out) {
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        Cell cell = a.cell();
        CellStep step = RecurrentCells.backward(cell, a.activation(), a.recurrentActivation());
        int last = call.inputs().size();
        Tensor w = call.input(0), y = call.input(last - 2), dy = call.input(last - 1);
        int n = y.dim(0), steps = y.dim(1), u = w.dim(0), gates = cell.gates(), gw = gates * u;
        int states = cell.states(), params = cell.parameters(), kept = cell.outputWidth() - states;
        int loopGates = gates - products(step);
        Tensor drop = a.recurrentDropout() ? call.input(1 + params + states) : null;
        Tensor mask = last == 4 + a.cellOperands() ? call.input(1 + a.cellOperands()) : null;
        long outBase = CudaKernels.address(out, true) + (long) out.offset() * F;
        long rowsAll = (long) n * steps;
        long dwAt = outBase + rowsAll * gw * F, dbAt = dwAt + (long) u * gw * F, dStatesAt = dbAt + (long) params * gw * F;
        if (rowsAll == 0) { // no step: every gradient is zero (dx is empty)
            DeviceSlots.fill(r, Slot.rows(dwAt, 0), 1, u * gw + params * gw + states * n * u, 0f);
            return;
        }
        long wt = DeviceSlots.scratch(r, (long) gw * u); // wᵀ [G·H, H], dense: B of every step's da·wᵀ
        DeviceSlots.run(r, DeviceSlots.COPY, gw, u, List.of(Slot.of(w, 0, 1, 0), Slot.rows(wt, u)));
        boolean perGate = drop != null || loopGates < gates;
        int hw = perGate ? gw : u;
        long hPrev = DeviceSlots.scratch(r, rowsAll * hw); // what each step's products read, by (example, input time)
        long dAccAll = params > 0 ? DeviceSlots.scratch(r, rowsAll * gw) : outBase; // [B,T,G·H]: the GEMM results' gradients
        long[] carried = new long[states], dPrevious = new long[states], masked = new long[states];
        for (int i = 0; i < states; i++) {
            carried[i] = DeviceSlots.scratch(r, (long) n * u);
            dPrevious[i] = DeviceSlots.scratch(r, (long) n * u);
            masked[i] = mask != null ? DeviceSlots.scratch(r, (long) n * u) : 0;
            DeviceSlots.fill(r, Slot.rows(carried[i], u), n, u, 0f);
        }
        long dhNext = DeviceSlots.scratch(r, (long) n * u), dhGate = DeviceSlots.scratch(r, (long) n * u);
        long t1 = DeviceSlots.scratch(r, (long) n * u), t2 = DeviceSlots.scratch(r, (long) n * u);
        long zero = DeviceSlots.scratch(r, 1);
        DeviceSlots.fill(r, Slot.rows(zero, 1), 1, 1, 0f);
        boolean[] written = new boolean[2];
        for (CellStep.Phase phase : step.phases()) {
            if (phase instanceof CellStep.Kernel k) {
                for (CellStep.Operand o : k.slots().subList(k.ir().loads().size(), k.slots().size())) {
                    if (o.buffer() == Buffer.D_H_PREV) written[0] = true;
                    if (o.buffer() == Buffer.D_C_PREV) written[1] = true;
                }
            }
        }
        int ldAll = steps * gw;
        for (int s = steps - 1; s >= 0; s--) {
            int t = a.inputIndex(s, steps), os = a.outputIndex(s, steps), ps = s == 0 ? -1 : a.outputIndex(s - 1, steps);
            Slot dx = Slot.rows(outBase + (long) t * gw * F, ldAll), dAcc = Slot.rows(dAccAll + (long) t * gw * F, ldAll);
            Slot hRecord = Slot.rows(hPrev + (long) t * hw * F, steps * hw);
            Slot m = mask == null ? null
                    : new Slot(CudaKernels.address(mask, false) + mask.offset() + (long) t * mask.stride(1), DType.BOOL, mask.stride(0), 0);
            Map<Buffer, Slot> reads = new EnumMap<>(Buffer.class), writes = new EnumMap<>(Buffer.class);
            Buffer[][] names = {{Buffer.H, Buffer.H_PREV, Buffer.D_H, Buffer.D_H_PREV}, {Buffer.C, Buffer.C_PREV, Buffer.D_C, Buffer.D_C_PREV}};
            Slot[] previous = new Slot[states];
            // each state's gradient reaching the gates: what came from later steps plus this step's output's (one kernel)
            List<Slot> sums = new ArrayList<>();
            for (int i = 0; i < states; i++) sums.addAll(List.of(Slot.rows(carried[i], u), Slot.of(dy, (long) os * dy.stride(1) + (long) i * u * dy.stride(2), 0, 2)));
            for (int i = 0; i < states; i++) sums.add(Slot.rows(carried[i], u));
            DeviceSlots.run(r, DeviceSlots.pairSums(states), n, u, sums);
            for (int i = 0; i < states; i++) {
                previous[i] = ps < 0 ? Slot.of(call.input(1 + params + i), 0, 0, 1) : Slot.of(y, (long) ps * y.stride(1) + (long) i * u * y.stride(2), 0, 2);
                reads.put(names[i][0], Slot.of(y, (long) os * y.stride(1) + (long) i * u * y.stride(2), 0, 2));
                reads.put(names[i][1], previous[i]);
                Slot dState = Slot.rows(carried[i], u);
                if (m != null) { // a masked step's gates did not touch the states: no gradient reaches them there
                    dState = Slot.rows(masked[i], u);
                    DeviceSlots.run(r, DeviceSlots.SELECT, n, u, List.of(m, Slot.rows(carried[i], u), Slot.scalar(zero), dState));
                }
                reads.put(names[i][2], dState);
                writes.put(names[i][3], Slot.rows(dPrevious[i], u));
            }
            reads.put(Buffer.STORED, Slot.of(y, (long) os * y.stride(1) + (long) states * u * y.stride(2), 0, 2));
            reads.put(Buffer.STORED_GRAD, Slot.of(dy, (long) os * dy.stride(1) + (long) states * u * dy.stride(2), 0, 2));
            for (Buffer b : new Buffer[] {Buffer.SCRATCH, Buffer.SCRATCH2}) {
                Slot tmp = Slot.rows(b == Buffer.SCRATCH ? t1 : t2, u);
                reads.put(b, tmp);
                writes.put(b, tmp);
            }
            writes.put(Buffer.D_INPUT, dx);
            writes.put(Buffer.D_ACC, params > 0 ? dAcc : dx);
            // what the loop's products read, for dw: h, or per gate h (∘ m_q)
            if (!perGate) DeviceSlots.run(r, DeviceSlots.COPY, n, u, List.of(previous[0], hRecord));
            else for (int q = 0; q < loopGates; q++) record(r, previous[0], drop, q, u, n, hRecord.columns(q * u));
            for (CellStep.Phase phase : step.phases()) {
                switch (phase) {
                    case CellStep.Kernel k -> runCell(r, k, n, u, reads, writes);
                    case CellStep.Product p -> { // write = (dInput_q·w_qᵀ) ∘ m_q; record what the forward's product read
                        int q = p.gate();
                        record(r, reads.get(p.read()), drop, q, u, n, hRecord.columns(q * u));
                        Slot to = writes.get(p.write());
                        gemm(r, n, u, u, new Operand(dx.address() + (long) q * u * F, ldAll, 0), new Operand(wt + (long) q * u * u * F, u, 0),
                                new Operand(to.address(), to.rowStride(), 0));
                        if (drop != null) DeviceSlots.run(r, DeviceSlots.MUL, n, u, List.of(to, Slot.of(drop, (long) q * u * drop.stride(1), 0, 1), to));
                    }
                }
            }
            for (int i = 0; i < states; i++) {
                if (m != null && written[i]) {
                    DeviceSlots.run(r, DeviceSlots.ADD_WHERE_CLEAR, n, u, List.of(m, Slot.rows(dPrevious[i], u), Slot.rows(carried[i], u), Slot.rows(dPrevious[i], u)));
                } else if (m != null) { // the cell wrote nothing here: only the masked rows' pass-through
                    DeviceSlots.run(r, DeviceSlots.SELECT, n, u, List.of(m, Slot.scalar(zero), Slot.rows(carried[i], u), Slot.rows(dPrevious[i], u)));
                } else if (!written[i] && i > 0) {
                    DeviceSlots.fill(r, Slot.rows(dPrevious[i], u), n, u, 0f);
                }
            }
            // h's gradient through w: dA_t·wᵀ over the loop gates (with dropout Σ_q (dA_q·w_qᵀ) ∘ m_q, in gate order)
            if (drop == null) {
                gemm(r, n, u, loopGates * u, new Operand(dAcc.address(), ldAll, 0), new Operand(wt, u, 0), new Operand(dhNext, u, 0));
            } else {
                for (int q = 0; q < loopGates; q++) {
                    gemm(r, n, u, u, new Operand(dAcc.address() + (long) q * u * F, ldAll, 0), new Operand(wt + (long) q * u * u * F, u, 0),
                            new Operand(dhGate, u, 0));
                    Slot mq = Slot.of(drop, (long) q * u * drop.stride(1), 0, 1);
                    if (q == 0) {
                        DeviceSlots.run(r, DeviceSlots.MUL, n, u, List.of(Slot.rows(dhGate, u), mq, Slot.rows(dhNext, u)));
                    } else {
                        DeviceSlots.run(r, DeviceSlots.MUL, n, u, List.of(Slot.rows(dhGate, u), mq, Slot.rows(dhGate, u)));
                        DeviceSlots.run(r, DeviceSlots.ADD, n, u, List.of(Slot.rows(dhNext, u), Slot.rows(dhGate, u), Slot.rows(dhNext, u)));
                    }
                }
            }
            if (written[0] || m != null) {
                DeviceSlots.run(r, DeviceSlots.ADD, n, u, List.of(Slot.rows(dhNext, u), Slot.rows(dPrevious[0], u), Slot.rows(dhNext, u)));
            }
            long swap = carried[0]; // carry on: h's gradient through w and directly, the other states' directly
            carried[0] = dhNext;
            dhNext = swap;
            for (int i = 1; i < states; i++) {
                swap = carried[i];
                carried[i] = dPrevious[i];
                dPrevious[i] = swap;
            }
        }
        for (int i = 0; i < states; i++) {
            DeviceSlots.run(r, DeviceSlots.COPY, n, u, List.of(Slot.rows(carried[i], u), Slot.rows(dStatesAt + (long) i * n * u * F, u)));
        }
        weightGradient(r, u, gw, (int) rowsAll, hPrev, hw, dAccAll, dwAt);
        if (params > 0) { // the recurrent bias: a row of ones times the stacked gradients
            long ones = DeviceSlots.scratch(r, rowsAll);
            DeviceSlots.fill(r, Slot.rows(ones, 1), (int) rowsAll, 1, 1f);
            gemm(r, 1, gw, (int) rowsAll, new Operand(ones, (int) rowsAll, 0), new Operand(dAccAll, gw, 0), new Operand(dbAt, gw, 0));
        }
    }

    /**
     * {@code dw [H, G·H] = hPrevᵀ · dA} over all (example, step) rows: one GEMM, or one per gate where
     * each gate's product read its own input ({@code hw = G·H}). hPrev's columns are transposed into
     * rows first (the GEMM reads row-major operands).
     */
    private static void weightGradient(KernelRunner r, int u, int gw, int rows, long hPrev, int hw, long dAcc, long dwAt) {
        long hT = DeviceSlots.scratch(r, (long) u * rows);
        for (int q = 0; q < hw / u; q++) {
            DeviceSlots.run(r, DeviceSlots.COPY, u, rows, List.of(new Slot(hPrev + (long) q * u * F, DType.FLOAT32, 1, hw), Slot.rows(hT, rows)));
            int cols = hw == u ? gw : u;
            gemm(r, u, cols, rows, new Operand(hT, rows, 0), new Operand(dAcc + (long) q * u * F, gw, 0), new Operand(dwAt + (long) q * u * F, gw, 0));
        }
    }

    /** Records what gate q's product read, {@code read} or {@code read ∘ m_q}, into {@code to}. */
    private static void record(KernelRunner r, Slot read, Tensor drop, int q, int u, int n, Slot to) {
        if (drop == null) DeviceSlots.run(r, DeviceSlots.COPY, n, u, List.of(read, to));
        else DeviceSlots.run(r, DeviceSlots.MUL, n, u, List.of(read, Slot.of(drop, (long) q * u * drop.stride(1), 0, 1), to));
    }

    /**
     * The add onto the step's projected input (or onto the recurrent bias) as the epilogue of the step's
     * product {@code h·w} into {@code acc} [B, G·H]: {@code acc = x_t + C}, x_t read in place.
     */
    private static GemmEpilogue addOnto(Tensor x, int t, OpCall call, int params, Tensor acc) {
        GemmEpilogue.Operand base = params > 0 ? new GemmEpilogue.Operand(call.input(2), 0, call.input(2).stride(0), new int[] {0})
                : new GemmEpilogue.Operand(x, t * x.stride(1), x.stride(2), new int[] {x.stride(0)});
        return new GemmEpilogue(DeviceSlots.ADD, java.util.Arrays.asList(base, null), new int[] {acc.dim(0)}, acc);
    }

    /** One cell kernel: its input slots from {@code reads}, its results to {@code writes}, each at its gate's columns. */
    private static void runCell(KernelRunner r, CellStep.Kernel k, int n, int u, Map<Buffer, Slot> reads, Map<Buffer, Slot> writes) {
        List<Slot> slots = new ArrayList<>();
        int inputs = k.ir().loads().size();
        for (int s = 0; s < k.slots().size(); s++) {
            CellStep.Operand o = k.slots().get(s);
            Slot base = (s < inputs ? reads : writes).get(o.buffer());
            if (base == null) throw new IllegalStateException("cuda: recurrence kernel " + k.ir().name() + " uses " + o.buffer() + ", which this loop does not hold");
            slots.add(base.columns(o.gate() * u));
        }
        DeviceSlots.run(r, k.ir(), n, u, slots);
    }

    /** The number of gate products a step runs inside the cell (after its first kernel). */
    private static int products(CellStep step) {
        int p = 0;
        for (CellStep.Phase phase : step.phases()) if (phase instanceof CellStep.Product) p++;
        return p;
    }

    /** {@code t} [rows, cols] as a GEMM operand: in place when its rows are contiguous, else a dense copy. */
    private static Operand rowMajor(KernelRunner r, Tensor t) {
        if ((t.stride(1) == 1 || t.dim(1) == 1) && t.stride(0) >= t.dim(1)) {
            return new Operand(CudaKernels.address(t, false) + (long) t.offset() * F, t.dim(0) == 1 ? Math.max(1, t.dim(1)) : t.stride(0), 0);
        }
        return new Operand(CudaKernels.denseCopy(r, t), t.dim(1), 0);
    }

    private static Operand shift(Operand o, int columns) {
        return new Operand(o.address() + (long) columns * F, o.ld(), 0);
    }

    /** {@code c [m, n] = a [m, k] · b [k, n]}, one float32 matrix. */
    private static void gemm(KernelRunner r, int m, int n, int k, Operand a, Operand b, Operand c) {
        CudaMatmul.gemm(r, new Problem(DType.FLOAT32, 1, m, n, k, a, b, c));
    }
}
