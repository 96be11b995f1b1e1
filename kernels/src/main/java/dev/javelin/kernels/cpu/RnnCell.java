package dev.javelin.kernels.cpu;

import dev.javelin.tensor.OpAttrs.Recurrence.Activation;

/**
 * The plain recurrent cell (Keras's SimpleRNN, PyTorch's {@code nn.RNN}): {@code h' = act(x_t + h·w)};
 * nothing stored beside h, whose value gives the activation's slope.
 */
final class RnnCell extends RecurrentCell {
    RnnCell(FloatLoops loops, Activation act, Activation unusedGate) {
        super(loops, act, unusedGate);
    }

    @Override
    void forward(float[] z, float[] input, float[][] states, float[] stored, float[] scratch, int ru, GateProducts products) {
        activate(act, z, 0, states[0], 0, ru);
    }

    @Override
    void backward(Backward k, int ru, GateProducts products) {
        activationGrad(act, k.dState()[0], 0, k.current()[0], 0, k.dInput(), 0, ru, k.t1());
    }
}
