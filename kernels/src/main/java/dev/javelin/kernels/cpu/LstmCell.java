package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;

/**
 * The LSTM cell (gates i, f, g, o; states h, c; the activated gates stored), as the reference
 * backend's {@code RecurrenceMath}:
 * <pre>
 * i, f, o = σ(z_i, z_f, z_o);  g = tanh(z_g);  c' = f*c + i*g;  h' = o*tanh(c')
 * </pre>
 */
final class LstmCell extends RecurrentCell {
    LstmCell(FloatLoops loops) {
        super(loops);
    }

    @Override
    void forward(float[] z, float[] input, float[][] states, float[] y, float[] tmp, int ru) {
        float[] h = states[0], c = states[1];
        loops.unary(Op.SIGMOID, z, 0, 1, y, 0, 1, 2 * ru);
        loops.unary(Op.TANH, z, 2 * ru, 1, y, 2 * ru, 1, ru);
        loops.unary(Op.SIGMOID, z, 3 * ru, 1, y, 3 * ru, 1, ru);
        loops.binary(Op.MUL, y, ru, 1, c, 0, 1, c, 0, 1, ru);
        loops.binary(Op.MUL, y, 0, 1, y, 2 * ru, 1, tmp, 0, 1, ru);
        loops.binary(Op.ADD, c, 0, 1, tmp, 0, 1, c, 0, 1, ru);
        loops.unary(Op.TANH, c, 0, 1, tmp, 0, 1, ru);
        loops.binary(Op.MUL, y, 3 * ru, 1, tmp, 0, 1, h, 0, 1, ru);
    }

    /**
     * With {@code dct = dc + dh·o·(1 - tanh²c)} and {@code gi..go} the stored gates' own gradients:
     * {@code dz_i = (gi + dct·g)·i(1-i)}, {@code dz_f = (gf + dct·c_prev)·f(1-f)},
     * {@code dz_g = (gg + dct·i)(1-g²)}, {@code dz_o = (go + dh·tanh c)·o(1-o)}, {@code dc_prev = dct·f}.
     */
    @Override
    void backward(Backward k, int ru) {
        float[] y = k.stored(), g = k.storedGrads(), dz = k.dInput(), tc = k.t3(), t1 = k.t1(), t2 = k.t2();
        float[] dh = k.dState()[0], dc = k.dState()[1];
        int i = 0, f = ru, gg = 2 * ru, o = 3 * ru;
        loops.unary(Op.TANH, k.current()[1], 0, 1, tc, 0, 1, ru);
        // o: (go + dh·tanh c)·o(1-o)
        loops.binary(Op.MUL, dh, 0, 1, tc, 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, o, 1, t1, 0, 1, ru);
        sigmoidGrad(t1, 0, y, o, dz, o, ru, t2);
        // dct = dc + dh·o·(1 - tanh²c), kept in dc
        loops.binary(Op.MUL, tc, 0, 1, tc, 0, 1, tc, 0, 1, ru);
        loops.binary(Op.SUB, ONE, 0, 0, tc, 0, 1, tc, 0, 1, ru);
        loops.binary(Op.MUL, tc, 0, 1, y, o, 1, tc, 0, 1, ru);
        loops.binary(Op.MUL, tc, 0, 1, dh, 0, 1, tc, 0, 1, ru);
        loops.binary(Op.ADD, dc, 0, 1, tc, 0, 1, dc, 0, 1, ru);
        // i: (gi + dct·g)·i(1-i);  f: (gf + dct·c_prev)·f(1-f);  g: (gg + dct·i)(1-g²)
        loops.binary(Op.MUL, dc, 0, 1, y, gg, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, i, 1, t1, 0, 1, ru);
        sigmoidGrad(t1, 0, y, i, dz, i, ru, t2);
        loops.binary(Op.MUL, dc, 0, 1, k.previous()[1], 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, f, 1, t1, 0, 1, ru);
        sigmoidGrad(t1, 0, y, f, dz, f, ru, t2);
        loops.binary(Op.MUL, dc, 0, 1, y, i, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, gg, 1, t1, 0, 1, ru);
        tanhGrad(t1, 0, y, gg, dz, gg, ru, t2);
        // dc_prev = dct·f; h reaches the previous step only through w
        loops.binary(Op.MUL, dc, 0, 1, y, f, 1, k.dPrevious()[1], 0, 1, ru);
    }
}
