package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;

/**
 * Keras's GRU with {@code reset_after=False} (state h; stored z, r and the candidate n), as the
 * reference backend's {@code GruResetBeforeMath}. The loop multiplies h by the z and r blocks of w; the
 * candidate's product reads {@code r ∘ h}, so the cell runs it itself once r is known:
 * <pre>
 * z = gate(x_z + h·w_z);  r = gate(x_r + h·w_r);  n = act(x_h + (r ∘ h)·w_h);  h' = n + z*(h - n)
 * </pre>
 */
final class GruResetBeforeCell extends RecurrentCell {
    GruResetBeforeCell(FloatLoops loops, Activation act, Activation gate) {
        super(loops, act, gate);
    }

    @Override
    int loopGates() {
        return 2;
    }

    @Override
    void forward(float[] acc, float[] input, float[][] states, float[] y, float[] t1, int ru, GateProducts products) {
        float[] h = states[0];
        activate(gate, acc, 0, y, 0, 2 * ru); // z, r
        loops.binary(Op.MUL, y, ru, 1, h, 0, 1, t1, 0, 1, ru);
        products.forward(2, t1); // acc_h = x_h + (r ∘ h)·w_h
        activate(act, acc, 2 * ru, y, 2 * ru, ru);
        // h = n + z*(h - n)
        loops.binary(Op.SUB, h, 0, 1, y, 2 * ru, 1, t1, 0, 1, ru);
        loops.binary(Op.MUL, y, 0, 1, t1, 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, y, 2 * ru, 1, t1, 0, 1, h, 0, 1, ru);
    }

    /**
     * With {@code d} the gradient reaching h' through the gates and {@code g*} the stored columns':
     * {@code dx_h = (d(1-z) + gn)·act'(n)}, {@code dx_z = (d(h-n) + gz)·gate'(z)}, {@code e = dx_h·w_hᵀ}
     * (the gradient of {@code r ∘ h}), {@code dx_r = (e·h + gr)·gate'(r)}, and the previous h's direct
     * path {@code d·z + e·r}.
     */
    @Override
    void backward(Backward k, int ru, GateProducts products) {
        float[] y = k.stored(), g = k.storedGrads(), dx = k.dInput(), t1 = k.t1(), t2 = k.t2(), t3 = k.t3();
        float[] d = k.dState()[0], h = k.previous()[0];
        int z = 0, r = ru, cand = 2 * ru;
        // dx_h = (d(1-z) + gn)·act'(n)
        loops.binary(Op.SUB, ONE, 0, 0, y, z, 1, t1, 0, 1, ru);
        loops.binary(Op.MUL, t1, 0, 1, d, 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, cand, 1, t1, 0, 1, ru);
        activationGrad(act, t1, 0, y, cand, dx, 2 * ru, ru, t2);
        // dx_z = (d(h - n) + gz)·gate'(z)
        loops.binary(Op.SUB, h, 0, 1, y, cand, 1, t2, 0, 1, ru);
        loops.binary(Op.MUL, t2, 0, 1, d, 0, 1, t2, 0, 1, ru);
        loops.binary(Op.ADD, t2, 0, 1, g, z, 1, t2, 0, 1, ru);
        activationGrad(gate, t2, 0, y, z, dx, 0, ru, t3);
        // e = dx_h·w_hᵀ (∘ m_h): the gradient of the product's input r ∘ h
        loops.binary(Op.MUL, y, r, 1, h, 0, 1, t1, 0, 1, ru);
        products.backward(2, dx, t1, t2);
        // dx_r = (e·h + gr)·gate'(r)
        loops.binary(Op.MUL, t2, 0, 1, h, 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, r, 1, t1, 0, 1, ru);
        activationGrad(gate, t1, 0, y, r, dx, ru, ru, t3);
        // the previous h other than through the loop's products: d·z + e·r
        loops.binary(Op.MUL, d, 0, 1, y, z, 1, k.dPrevious()[0], 0, 1, ru);
        loops.binary(Op.MUL, t2, 0, 1, y, r, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, k.dPrevious()[0], 0, 1, t1, 0, 1, k.dPrevious()[0], 0, 1, ru);
    }
}
