package dev.javelin.kernels.ir;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import java.util.List;

/**
 * One step of a recurrent cell, forward or backward, as a recurrence loop runs it: kernels with
 * several results ({@link KernelIR#multiOutput}) over the loop's buffers, and where a gate's product
 * reads something other than h (GRU with the reset gate before the product), that product between
 * them. The loop keeps every buffer gate-major, {@code ru = rows·units} values per gate, so an
 * operand is a buffer and a gate, and each kernel is one loop over {@code ru} positions.
 * The cells themselves are {@link RecurrentCells}.
 *
 * <pre>{@code
 * CellStep.Builder k = new CellStep.Builder();
 * int h = k.activate(Activation.TANH, k.read(Buffer.ACC, 0));   // RNN: h' = tanh(x + h·w)
 * k.write(Buffer.H, 0, h);
 * CellStep step = new CellStep(List.of(k.kernel("rnn_forward")));
 * }</pre>
 *
 * @param phases run in order
 */
public record CellStep(List<Phase> phases) {
    public CellStep {
        phases = List.copyOf(phases);
    }

    /**
     * The loop's buffers, {@code ru} values per gate. Forward: the step's GEMM result, the projected
     * input of a cell with a recurrent bias, the states (updated in place), the stored columns, scratch.
     * Backward besides: the stored columns' gradients, the states before the step, the states'
     * gradients reaching the cell, the gradients of the step's input and of its GEMM result, the
     * previous states' gradients other than through w.
     */
    public enum Buffer {
        ACC, INPUT, H, C, STORED, SCRATCH, SCRATCH2,
        STORED_GRAD, H_PREV, C_PREV, D_H, D_C, D_INPUT, D_ACC, D_H_PREV, D_C_PREV
    }

    /** Gate {@code gate}'s block of {@code buffer}. */
    public record Operand(Buffer buffer, int gate) {}

    /** What a step does: a kernel, or a gate's product. */
    public sealed interface Phase permits Kernel, Product {}

    /** A kernel over {@code ru} positions; {@code slots}: its inputs, then its results, in the kernel's slot order. */
    public record Kernel(KernelIR ir, List<Operand> slots) implements Phase {}

    /**
     * Gate {@code gate}'s product, run by the loop with the gate's recurrent dropout. Forward:
     * {@code ACC}'s block += {@code read·w_gate}. Backward: {@code write = D_INPUT's block·w_gateᵀ},
     * {@code read} being what the forward's product read (recorded for dw).
     */
    public record Product(int gate, Buffer read, Buffer write) implements Phase {}

    /**
     * Writes one kernel of a step: its reads (each operand loaded once), its arithmetic, its writes.
     * Every operation is one float32 instruction rounded on its own, as the eager ops are.
     */
    public static final class Builder extends OperandKernelBuilder<Operand> {
        /** The value of gate {@code gate}'s block of {@code buffer} at the loop position. */
        public int read(Buffer buffer, int gate) {
            return read(new Operand(buffer, gate));
        }

        /** Stores {@code value} to gate {@code gate}'s block of {@code buffer}. */
        public void write(Buffer buffer, int gate, int value) {
            write(new Operand(buffer, gate), value);
        }

        /** The kernel of what was read, computed and written. */
        public Kernel kernel(String name) {
            return new Kernel(ir("E_" + name), slots());
        }

        /** {@code f(x)}: Keras's activations; hard sigmoid as {@code min(max(x·(1/6) + 1/2, 0), 1)}. */
        public int activate(Activation f, int x) {
            return switch (f) {
                case TANH -> op(Op.TANH, x);
                case SIGMOID -> op(Op.SIGMOID, x);
                case RELU -> op(Op.RELU, x);
                case LINEAR -> x;
                case HARD_SIGMOID -> op(Op.MIN, op(Op.MAX, add(mul(x, constant(SIXTH)), constant(0.5f)), constant(0f)), constant(1f));
            };
        }

        /**
         * {@code d·f'} where {@code y} holds f's output: {@code 1-y²}, {@code (1-y)·y}, {@code sign(y)}
         * (relu: 1 where y > 0, as PyTorch's), 1, or 1/6 inside (0, 1) (hard sigmoid).
         */
        public int gradient(Activation f, int d, int y) {
            return f == Activation.LINEAR ? d : mul(d, slope(f, y));
        }

        /** {@code f'} where {@code y} holds f's output (see {@link #gradient}). */
        public int slope(Activation f, int y) {
            int one = constant(1f);
            return switch (f) {
                case TANH -> sub(one, mul(y, y));
                case SIGMOID -> mul(sub(one, y), y);
                case RELU -> op(Op.SIGN, y);
                case LINEAR -> one;
                // sign(y·sign(1-y)) is 1 exactly where 0 < y < 1 (y is in [0, 1]), then times 1/6
                case HARD_SIGMOID -> mul(op(Op.SIGN, mul(op(Op.SIGN, sub(one, y)), y)), constant(SIXTH));
            };
        }

        private static final float SIXTH = (float) (1.0 / 6);
    }
}
