package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;

/**
 * The GRU cell with {@code reset_after} (PyTorch's, Keras's default; state h; stored z, r, the
 * candidate n and the recurrent part {@code a_h}), as the reference backend's {@code GruMath}. Its
 * recurrent bias makes the step's GEMM result {@code a = b + h·w}, apart from the input {@code x_t}
 * ({@code gate} sigmoid and {@code act} tanh by default):
 * <pre>
 * z = gate(x_z + a_z);  r = gate(x_r + a_r);  n = act(x_h + r*a_h);  h' = n + z*(h - n)
 * </pre>
 */
final class GruCell extends RecurrentCell {
    GruCell(FloatLoops loops, Activation act, Activation gate) {
        super(loops, act, gate);
    }

    @Override
    void forward(float[] a, float[] x, float[][] states, float[] y, float[] t1, int ru, GateProducts products) {
        float[] h = states[0];
        // z = gate(x_z + a_z), r = gate(x_r + a_r)
        loops.binary(Op.ADD, x, 0, 1, a, 0, 1, y, 0, 1, 2 * ru);
        activate(gate, y, 0, y, 0, 2 * ru);
        // n = act(x_h + r*a_h)
        loops.binary(Op.MUL, y, ru, 1, a, 2 * ru, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, x, 2 * ru, 1, t1, 0, 1, t1, 0, 1, ru);
        activate(act, t1, 0, y, 2 * ru, ru);
        // h = n + z*(h - n)
        loops.binary(Op.SUB, h, 0, 1, y, 2 * ru, 1, t1, 0, 1, ru);
        loops.binary(Op.MUL, y, 0, 1, t1, 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, y, 2 * ru, 1, t1, 0, 1, h, 0, 1, ru);
        System.arraycopy(a, 2 * ru, y, 3 * ru, ru);
    }

    /**
     * With {@code d} the gradient reaching h' through the gates and {@code g*} the stored columns'
     * gradients: {@code dn = d(1-z) + gn}, {@code dx_z = (d(h-n) + gz)·gate'(z)}, {@code dx_h = dn·act'(n)},
     * {@code dx_r = (dx_h·a_h + gr)·gate'(r)}, {@code da_h = dx_h·r + ga}, and the direct path
     * {@code d·z} to the previous h.
     */
    @Override
    void backward(Backward k, int ru, GateProducts products) {
        float[] y = k.stored(), g = k.storedGrads(), dx = k.dInput(), t1 = k.t1(), t2 = k.t2(), d = k.dState()[0];
        int z = 0, r = ru, cand = 2 * ru, ah = 3 * ru;
        // dn = d(1-z) + gn
        loops.binary(Op.SUB, ONE, 0, 0, y, z, 1, t1, 0, 1, ru);
        loops.binary(Op.MUL, t1, 0, 1, d, 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, cand, 1, t1, 0, 1, ru);
        // dx_z = (d(h - n) + gz)·gate'(z)
        loops.binary(Op.SUB, k.previous()[0], 0, 1, y, cand, 1, t2, 0, 1, ru);
        loops.binary(Op.MUL, t2, 0, 1, d, 0, 1, t2, 0, 1, ru);
        loops.binary(Op.ADD, t2, 0, 1, g, z, 1, t2, 0, 1, ru);
        activationGrad(gate, t2, 0, y, z, dx, 0, ru, k.t3());
        // dx_h = dn·act'(n)
        activationGrad(act, t1, 0, y, cand, dx, 2 * ru, ru, t2);
        // dx_r = (dx_h·a_h + gr)·gate'(r)
        loops.binary(Op.MUL, dx, 2 * ru, 1, y, ah, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, r, 1, t1, 0, 1, ru);
        activationGrad(gate, t1, 0, y, r, dx, ru, ru, t2);
        // the GEMM's result a: da_z = dx_z, da_r = dx_r, da_h = dx_h·r + ga
        System.arraycopy(dx, 0, k.dAcc(), 0, 2 * ru);
        loops.binary(Op.MUL, dx, 2 * ru, 1, y, r, 1, k.dAcc(), 2 * ru, 1, ru);
        loops.binary(Op.ADD, k.dAcc(), 2 * ru, 1, g, ah, 1, k.dAcc(), 2 * ru, 1, ru);
        // the direct path: d·z
        loops.binary(Op.MUL, d, 0, 1, y, z, 1, k.dPrevious()[0], 0, 1, ru);
    }
}
