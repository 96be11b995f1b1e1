package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;

/**
 * The plain recurrent cell (Keras's SimpleRNN, PyTorch's {@code nn.RNN}): {@code h' = act(x_t + h·w)}
 * with tanh or relu; nothing stored beside h, whose value gives the activation's derivative
 * ({@code 1 - h'²}, or {@code sign(h')} for relu, as PyTorch's {@code result > 0}).
 */
final class RnnCell extends RecurrentCell {
    private final Op activation;

    RnnCell(FloatLoops loops, Op activation) {
        super(loops);
        this.activation = activation;
    }

    @Override
    void forward(float[] z, float[] input, float[][] states, float[] stored, float[] scratch, int ru) {
        loops.unary(activation, z, 0, 1, states[0], 0, 1, ru);
    }

    @Override
    void backward(Backward k, int ru) {
        float[] h = k.current()[0], d = k.dState()[0];
        if (activation == Op.TANH) {
            tanhGrad(d, 0, h, 0, k.dInput(), 0, ru, k.t1());
        } else {
            loops.unary(Op.SIGN, h, 0, 1, k.t1(), 0, 1, ru);
            loops.binary(Op.MUL, d, 0, 1, k.t1(), 0, 1, k.dInput(), 0, 1, ru);
        }
    }
}
