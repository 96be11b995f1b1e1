package dev.javelin.kernels.cpu;

import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.ir.CellStep;
import dev.javelin.kernels.ir.CellStep.Buffer;
import dev.javelin.kernels.ir.RecurrentCells;
import dev.javelin.tensor.OpAttrs;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gate math of one recurrent cell and its gradient, on a thread's block of {@code ru = rows·units}
 * values kept gate-major: the kernels {@link RecurrentCells} defines, generated from the kernel IR
 * (each step one loop per kernel, several results stored by it) and kept per cell and activations.
 * {@link RecurrenceLoop} owns everything else: the row blocks, the per-step GEMM, the mask, the packed
 * result and the final {@code dw} GEMM.
 */
final class RecurrentCell {
    private static final Map<List<Object>, RecurrentCell> CELLS = new ConcurrentHashMap<>();

    private final Phase[] forward, backward;
    private final int loopGates;

    private RecurrentCell(OpAttrs.Recurrence a) {
        forward = compile(RecurrentCells.forward(a.cell(), a.activation(), a.recurrentActivation()));
        backward = compile(RecurrentCells.backward(a.cell(), a.activation(), a.recurrentActivation()));
        int products = 0;
        for (Phase p : forward) if (p.product() != null) products++;
        loopGates = a.cell().gates() - products;
    }

    /** The kernels of the op's cell with its activations (generated once per JVM). */
    static RecurrentCell of(OpAttrs.Recurrence a) {
        return CELLS.computeIfAbsent(List.of(a.cell(), a.activation(), a.recurrentActivation()), k -> new RecurrentCell(a));
    }

    /**
     * The gates whose products the loop runs itself, before the cell: the first {@code loopGates()}
     * read h. The later ones (GRU with the reset gate before the product) the cell runs through {@link ForwardProduct} and {@link BackwardProduct}.
     */
    int loopGates() {
        return loopGates;
    }

    /**
     * A gate's product the cell runs itself ({@link #loopGates}), for its step's rows: {@code acc}'s gate
     * {@code q} block += {@code (a ∘ m_q)·w_q}, {@code a} rows × units (the loop applies the multiplier).
     */
    interface ForwardProduct {
        void run(int q, float[] a);
    }

    /** Its gradient: {@code out = (dAcc_q·w_qᵀ) ∘ m_q}; {@code a} is what the forward's product read (the loop records it for dw). */
    interface BackwardProduct {
        void run(int q, float[] dAcc, float[] a, float[] out);
    }

    /**
     * One step forward. {@code acc} holds the step's GEMM result: {@code x_t + h·w} gate-major, or
     * {@code b + h·w} for a cell with a recurrent bias, whose {@code x_t} is then in {@code input}
     * (else null); gates past {@link #loopGates} hold only their part of x, for the cell's own products.
     * Updates {@code states} in place and writes the columns stored after them, gate-major, into
     * {@code stored}; {@code scratch} is {@code ru} long.
     */
    void forward(float[] acc, float[] input, float[][] states, float[] stored, float[] scratch, int ru, ForwardProduct products) {
        float[][] buffers = new float[Buffer.values().length][];
        buffers[Buffer.ACC.ordinal()] = acc;
        buffers[Buffer.INPUT.ordinal()] = input;
        buffers[Buffer.H.ordinal()] = states[0];
        buffers[Buffer.C.ordinal()] = states.length > 1 ? states[1] : null;
        buffers[Buffer.STORED.ordinal()] = stored;
        buffers[Buffer.SCRATCH.ordinal()] = scratch;
        for (Phase p : forward) {
            if (p.product() == null) p.run(buffers, ru);
            else products.run(p.product().gate(), buffers[p.product().read().ordinal()]);
        }
    }

    /** One step backward on the buffers of {@code k} (see {@link Backward}). */
    void backward(Backward k, int ru, BackwardProduct products) {
        float[][] buffers = new float[Buffer.values().length][];
        buffers[Buffer.STORED.ordinal()] = k.stored();
        buffers[Buffer.STORED_GRAD.ordinal()] = k.storedGrads();
        buffers[Buffer.SCRATCH.ordinal()] = k.t1();
        buffers[Buffer.SCRATCH2.ordinal()] = k.t2();
        buffers[Buffer.D_INPUT.ordinal()] = k.dInput();
        buffers[Buffer.D_ACC.ordinal()] = k.dAcc();
        Buffer[][] states = {{Buffer.H, Buffer.H_PREV, Buffer.D_H, Buffer.D_H_PREV}, {Buffer.C, Buffer.C_PREV, Buffer.D_C, Buffer.D_C_PREV}};
        for (int i = 0; i < k.current().length; i++) {
            buffers[states[i][0].ordinal()] = k.current()[i];
            buffers[states[i][1].ordinal()] = k.previous()[i];
            buffers[states[i][2].ordinal()] = k.dState()[i];
            buffers[states[i][3].ordinal()] = k.dPrevious()[i];
        }
        for (Phase p : backward) {
            if (p.product() == null) p.run(buffers, ru);
            else products.run(p.product().gate(), k.dInput(), buffers[p.product().read().ordinal()], buffers[p.product().write().ordinal()]);
        }
    }

    /**
     * A step's buffers in the backward, each gate-major. Given: the stored columns and their
     * gradients, the states after the step ({@code current}) and before it ({@code previous}), and
     * {@code dState}: each state's gradient reaching the gates (zero on masked rows). The cell writes
     * the gradient of the step's input into {@code dInput}, that of the GEMM's result into {@code dAcc}
     * (the same array for a cell without a recurrent bias), and each previous state's gradient other
     * than through {@code w} into {@code dPrevious}. {@code t1, t2} are scratch, {@code ru} long.
     */
    record Backward(float[] stored, float[] storedGrads, float[][] current, float[][] previous, float[][] dState,
                    float[] dInput, float[] dAcc, float[][] dPrevious, float[] t1, float[] t2) {}

    private static Phase[] compile(CellStep step) {
        return step.phases().stream().map(p -> switch (p) {
            case CellStep.Kernel k -> new Phase(GeneratedLoops.compile(k.ir()), k.slots(), null);
            case CellStep.Product q -> new Phase(null, List.of(), q);
        }).toArray(Phase[]::new);
    }

    /** A kernel generated from the IR with the operands it runs on, or a gate's product. */
    private record Phase(FusedKernel kernel, List<CellStep.Operand> slots, CellStep.Product product) {
        void run(float[][] buffers, int ru) {
            Object[] arrays = new Object[slots.size()];
            int[] offsets = new int[slots.size()];
            for (int s = 0; s < arrays.length; s++) {
                arrays[s] = buffers[slots.get(s).buffer().ordinal()];
                offsets[s] = slots.get(s).gate() * ru;
            }
            kernel.run(arrays, offsets, new int[arrays.length][], ru);
        }
    }
}
