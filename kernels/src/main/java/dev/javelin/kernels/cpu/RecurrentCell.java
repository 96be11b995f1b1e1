package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;

/**
 * The gate math of one recurrent cell and its gradient, on a thread's block of {@code ru = rows·units}
 * values kept gate-major (each gate's rows side by side, so every step is a few long vector loops).
 * {@link RecurrenceLoop} owns everything else: the row blocks, the per-step GEMM, the mask, the
 * packed result and the final {@code dw} GEMM. The math is the reference backend's in float32.
 */
abstract class RecurrentCell {
    static final float[] ONE = {1f};

    final FloatLoops loops;

    RecurrentCell(FloatLoops loops) {
        this.loops = loops;
    }

    /** The kernel of {@code cell}. */
    static RecurrentCell of(Cell cell, FloatLoops loops) {
        return switch (cell) {
            case LSTM -> new LstmCell(loops);
            case GRU -> new GruCell(loops);
            case RNN_TANH -> new RnnCell(loops, Op.TANH);
            case RNN_RELU -> new RnnCell(loops, Op.RELU);
        };
    }

    /**
     * One step forward. {@code acc} holds the step's GEMM result: {@code x_t + h·w} gate-major, or
     * {@code b + h·w} for a cell with a recurrent bias, whose {@code x_t} is then in {@code input}
     * (else null). Updates {@code states} in place and writes the columns stored after them, gate-major,
     * into {@code stored}; {@code scratch} is {@code ru} long.
     */
    abstract void forward(float[] acc, float[] input, float[][] states, float[] stored, float[] scratch, int ru);

    /** One step backward on the buffers of {@code k} (see {@link Backward}). */
    abstract void backward(Backward k, int ru);

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

    /** {@code dz[dzo..] = d[dOff..]·s(1-s)} for the stored sigmoid {@code y[s..]}; {@code scratch} is overwritten. */
    final void sigmoidGrad(float[] d, int dOff, float[] y, int s, float[] dz, int dzo, int n, float[] scratch) {
        loops.binary(Op.SUB, ONE, 0, 0, y, s, 1, scratch, 0, 1, n);
        loops.binary(Op.MUL, scratch, 0, 1, y, s, 1, scratch, 0, 1, n);
        loops.binary(Op.MUL, d, dOff, 1, scratch, 0, 1, dz, dzo, 1, n);
    }

    /** {@code dz[dzo..] = d[dOff..]·(1-v²)} for the stored tanh {@code y[v..]}; {@code scratch} is overwritten. */
    final void tanhGrad(float[] d, int dOff, float[] y, int v, float[] dz, int dzo, int n, float[] scratch) {
        loops.binary(Op.MUL, y, v, 1, y, v, 1, scratch, 0, 1, n);
        loops.binary(Op.SUB, ONE, 0, 0, scratch, 0, 1, scratch, 0, 1, n);
        loops.binary(Op.MUL, d, dOff, 1, scratch, 0, 1, dz, dzo, 1, n);
    }
}
