package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;

/**
 * The LSTM cell (gates i, f, g, o; states h, c; the activated gates stored), as the reference
 * backend's {@code RecurrenceMath}, with {@code act} tanh and {@code gate} sigmoid by default:
 * <pre>
 * i, f, o = gate(z_i, z_f, z_o);  g = act(z_g);  c' = f*c + i*g;  h' = o*act(c')
 * </pre>
 */
final class LstmCell extends RecurrentCell {
    LstmCell(FloatLoops loops, Activation act, Activation gate) {
        super(loops, act, gate);
    }

    @Override
    void forward(float[] z, float[] input, float[][] states, float[] y, float[] tmp, int ru, GateProducts products) {
        float[] h = states[0], c = states[1];
        activate(gate, z, 0, y, 0, 2 * ru);
        activate(act, z, 2 * ru, y, 2 * ru, ru);
        activate(gate, z, 3 * ru, y, 3 * ru, ru);
        loops.binary(Op.MUL, y, ru, 1, c, 0, 1, c, 0, 1, ru);
        loops.binary(Op.MUL, y, 0, 1, y, 2 * ru, 1, tmp, 0, 1, ru);
        loops.binary(Op.ADD, c, 0, 1, tmp, 0, 1, c, 0, 1, ru);
        activate(act, c, 0, tmp, 0, ru);
        loops.binary(Op.MUL, y, 3 * ru, 1, tmp, 0, 1, h, 0, 1, ru);
    }

    /**
     * With {@code dct = dc + dh·o·act'(c)} and {@code gi..go} the stored gates' own gradients:
     * {@code dz_i = (gi + dct·g)·gate'(i)}, {@code dz_f = (gf + dct·c_prev)·gate'(f)},
     * {@code dz_g = (gg + dct·i)·act'(g)}, {@code dz_o = (go + dh·act(c))·gate'(o)}, {@code dc_prev = dct·f}
     * (each slope written from the activation's output: tanh's {@code 1-v²}, sigmoid's {@code s(1-s)}).
     */
    @Override
    void backward(Backward k, int ru, GateProducts products) {
        float[] y = k.stored(), g = k.storedGrads(), dz = k.dInput(), tc = k.t3(), t1 = k.t1(), t2 = k.t2();
        float[] dh = k.dState()[0], dc = k.dState()[1];
        int i = 0, f = ru, gg = 2 * ru, o = 3 * ru;
        activate(act, k.current()[1], 0, tc, 0, ru);
        // o: (go + dh·act(c))·gate'(o)
        loops.binary(Op.MUL, dh, 0, 1, tc, 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, o, 1, t1, 0, 1, ru);
        activationGrad(gate, t1, 0, y, o, dz, o, ru, t2);
        // dct = dc + dh·o·act'(c), kept in dc
        slope(act, tc, 0, t2, ru);
        loops.binary(Op.MUL, t2, 0, 1, y, o, 1, t2, 0, 1, ru);
        loops.binary(Op.MUL, t2, 0, 1, dh, 0, 1, t2, 0, 1, ru);
        loops.binary(Op.ADD, dc, 0, 1, t2, 0, 1, dc, 0, 1, ru);
        // i: (gi + dct·g)·gate'(i);  f: (gf + dct·c_prev)·gate'(f);  g: (gg + dct·i)·act'(g)
        loops.binary(Op.MUL, dc, 0, 1, y, gg, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, i, 1, t1, 0, 1, ru);
        activationGrad(gate, t1, 0, y, i, dz, i, ru, t2);
        loops.binary(Op.MUL, dc, 0, 1, k.previous()[1], 0, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, f, 1, t1, 0, 1, ru);
        activationGrad(gate, t1, 0, y, f, dz, f, ru, t2);
        loops.binary(Op.MUL, dc, 0, 1, y, i, 1, t1, 0, 1, ru);
        loops.binary(Op.ADD, t1, 0, 1, g, gg, 1, t1, 0, 1, ru);
        activationGrad(act, t1, 0, y, gg, dz, gg, ru, t2);
        // dc_prev = dct·f; h reaches the previous step only through w
        loops.binary(Op.MUL, dc, 0, 1, y, f, 1, k.dPrevious()[1], 0, 1, ru);
    }
}
