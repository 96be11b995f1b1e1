package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import java.util.Arrays;

/**
 * The gate math of one recurrent cell and its gradient, on a thread's block of {@code ru = rows·units}
 * values kept gate-major (each gate's rows side by side, so every step is a few long vector loops).
 * {@link RecurrenceLoop} owns everything else: the row blocks, the per-step GEMM, the mask, the
 * packed result and the final {@code dw} GEMM. The math is the reference backend's in float32.
 */
abstract class RecurrentCell {
    static final float[] ONE = {1f};
    private static final float[] ZERO = {0f}, HALF = {0.5f}, SIXTH = {(float) (1.0 / 6)};

    final FloatLoops loops;
    /** Keras's {@code activation} and {@code recurrent_activation} (the gates'; unused by a cell without gates). */
    final Activation act, gate;

    RecurrentCell(FloatLoops loops, Activation act, Activation gate) {
        this.loops = loops;
        this.act = act;
        this.gate = gate;
    }

    /** The kernel of the op's cell with its activations. */
    static RecurrentCell of(OpAttrs.Recurrence a, FloatLoops loops) {
        return switch (a.cell()) {
            case LSTM -> new LstmCell(loops, a.activation(), a.recurrentActivation());
            case GRU -> new GruCell(loops, a.activation(), a.recurrentActivation());
            case GRU_RESET_BEFORE -> new GruResetBeforeCell(loops, a.activation(), a.recurrentActivation());
            case RNN -> new RnnCell(loops, a.activation(), a.recurrentActivation());
        };
    }

    /**
     * The gates whose products the loop runs itself, before the cell: the first {@code loopGates()}
     * read h. A cell whose later gates read something else (GRU with the reset gate before the
     * product) runs those through {@link GateProducts}.
     */
    int loopGates() {
        return -1; // all
    }

    /**
     * The products of a gate the cell runs itself ({@link #loopGates}), for its step's rows. The loop
     * applies the gate's recurrent dropout multiplier and records what the product read, for dw.
     */
    interface GateProducts {
        /** {@code acc}'s gate {@code q} block += {@code (a ∘ m_q)·w_q}, {@code a} rows × units. */
        void forward(int q, float[] a);

        /** {@code out = (dAcc_q·w_qᵀ) ∘ m_q} for {@code dAcc}'s gate-major block q; {@code a} is what the forward's product read. */
        void backward(int q, float[] dAcc, float[] a, float[] out);
    }

    /**
     * One step forward. {@code acc} holds the step's GEMM result: {@code x_t + h·w} gate-major, or
     * {@code b + h·w} for a cell with a recurrent bias, whose {@code x_t} is then in {@code input}
     * (else null); gates past {@link #loopGates} hold only their part of x, for the cell's own products.
     * Updates {@code states} in place and writes the columns stored after them, gate-major, into
     * {@code stored}; {@code scratch} is {@code ru} long.
     */
    abstract void forward(float[] acc, float[] input, float[][] states, float[] stored, float[] scratch, int ru, GateProducts products);

    /** One step backward on the buffers of {@code k} (see {@link Backward}). */
    abstract void backward(Backward k, int ru, GateProducts products);

    /**
     * A step's buffers in the backward, each gate-major. Given: the stored columns and their
     * gradients, the states after the step ({@code current}) and before it ({@code previous}), and
     * {@code dState}: each state's gradient reaching the gates (zero on masked rows; the cell may
     * overwrite it). The cell writes the gradient of the step's input into {@code dInput}, that of the
     * GEMM's result into {@code dAcc} (the same array for a cell without a recurrent bias), and each
     * previous state's gradient other than through {@code w} into {@code dPrevious} (zeroed by the
     * loop). {@code t1..t3} are scratch, {@code ru} long.
     */
    record Backward(float[] stored, float[] storedGrads, float[][] current, float[][] previous, float[][] dState,
                    float[] dInput, float[] dAcc, float[][] dPrevious, float[] t1, float[] t2, float[] t3) {}

    /** {@code out[oo..] = f(x[xo..])} for {@code n} values (in place when they are the same). */
    final void activate(Activation f, float[] x, int xo, float[] out, int oo, int n) {
        if (f.op() != null) {
            loops.unary(f.op(), x, xo, 1, out, oo, 1, n);
        } else if (f == Activation.HARD_SIGMOID) { // min(max(x/6 + 1/2, 0), 1), as the layers' composition
            loops.binary(Op.MUL, x, xo, 1, SIXTH, 0, 0, out, oo, 1, n);
            loops.binary(Op.ADD, out, oo, 1, HALF, 0, 0, out, oo, 1, n);
            loops.binary(Op.MAX, out, oo, 1, ZERO, 0, 0, out, oo, 1, n);
            loops.binary(Op.MIN, out, oo, 1, ONE, 0, 0, out, oo, 1, n);
        } else if (x != out || xo != oo) {
            System.arraycopy(x, xo, out, oo, n);
        }
    }

    /**
     * {@code dz[dzo..] = d[dOff..]·f'} where {@code y[yo..]} holds f's output: {@code 1-y²}, {@code (1-y)·y},
     * {@code sign(y)} (relu), 1, or 1/6 inside (0, 1) (hard sigmoid). {@code scratch} is overwritten with the slope.
     */
    final void activationGrad(Activation f, float[] d, int dOff, float[] y, int yo, float[] dz, int dzo, int n, float[] scratch) {
        slope(f, y, yo, scratch, n);
        loops.binary(Op.MUL, d, dOff, 1, scratch, 0, 1, dz, dzo, 1, n);
    }

    /** {@code out[0..n) = f'} where {@code y[yo..]} holds f's output ({@code out} must not be {@code y}). */
    final void slope(Activation f, float[] y, int yo, float[] out, int n) {
        switch (f) {
            case TANH -> {
                loops.binary(Op.MUL, y, yo, 1, y, yo, 1, out, 0, 1, n);
                loops.binary(Op.SUB, ONE, 0, 0, out, 0, 1, out, 0, 1, n);
            }
            case SIGMOID -> {
                loops.binary(Op.SUB, ONE, 0, 0, y, yo, 1, out, 0, 1, n);
                loops.binary(Op.MUL, out, 0, 1, y, yo, 1, out, 0, 1, n);
            }
            case RELU -> loops.unary(Op.SIGN, y, yo, 1, out, 0, 1, n); // 1 where y > 0, as PyTorch's result > 0
            case LINEAR -> Arrays.fill(out, 0, n, 1f);
            case HARD_SIGMOID -> { // sign(y·sign(1-y)) is 1 exactly where 0 < y < 1 (y is in [0, 1]), then times 1/6
                loops.binary(Op.SUB, ONE, 0, 0, y, yo, 1, out, 0, 1, n);
                loops.unary(Op.SIGN, out, 0, 1, out, 0, 1, n);
                loops.binary(Op.MUL, out, 0, 1, y, yo, 1, out, 0, 1, n);
                loops.unary(Op.SIGN, out, 0, 1, out, 0, 1, n);
                loops.binary(Op.MUL, out, 0, 1, SIXTH, 0, 0, out, 0, 1, n);
            }
        }
    }
}
