package dev.javelin.tensor.reference;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * RECURRENCE and RECURRENCE_BACKWARD for the LSTM cell as the textbook loop in double ({@link GruMath}
 * has the GRU's), one example and one step at a
 * time: what a fused kernel must match. Forward, per processing step (input time {@code t}):
 * <pre>
 * z = x[t] + h·w;  i, f, o = gate(z_i, z_f, z_o);  g = act(z_g)       (Keras: recurrent_activation, activation)
 * c' = f*c + i*g;  h' = o*act(c')           (a masked step keeps h and c; the gates are still stored)
 * </pre>
 * Backward runs the steps in reverse, carrying dh and dc; the gradient of the stored gates is honoured
 * too, so the op is an exact function of all it returns.
 */
final class RecurrenceMath {
    private RecurrenceMath() {}

    /** The sizes of one call and whether it has a mask. */
    private record Dims(int batch, int steps, int units, boolean masked) {
        int width() {
            return 4 * units;
        }

        int outWidth() {
            return 6 * units;
        }
    }

    static void forward(OpCall call, Tensor out) {
        Tensor x = call.input(0);
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        Dims d = new Dims(x.dim(0), x.dim(1), call.input(1).dim(0), call.inputs().size() == 3 + a.cellOperands());
        OpAttrs.Recurrence.Activation act = a.activation(), gate = a.recurrentActivation();
        double[] xs = Dense.doubles(x), w = Dense.doubles(call.input(1));
        double[] h0 = Dense.doubles(call.input(2)), c0 = Dense.doubles(call.input(3));
        double[] drop = a.recurrentDropout() ? Dense.doubles(call.input(4)) : null;
        long[] mask = d.masked ? Dense.longs(call.input(2 + a.cellOperands())) : null;
        int u = d.units, gw = d.width(), ow = d.outWidth();
        double[] o = new double[d.batch * d.steps * ow];
        double[] h = new double[u], c = new double[u], z = new double[gw];
        for (int b = 0; b < d.batch; b++) {
            System.arraycopy(h0, b * u, h, 0, u);
            System.arraycopy(c0, b * u, c, 0, u);
            for (int s = 0; s < d.steps; s++) {
                int t = a.inputIndex(s, d.steps);
                RecurrentProduct.forward(h, drop, b * gw, w, xs, (b * d.steps + t) * gw, z);
                boolean real = mask == null || mask[b * d.steps + t] != 0;
                int row = (b * d.steps + a.outputIndex(s, d.steps)) * ow;
                for (int j = 0; j < u; j++) {
                    double i = gate.apply(z[j]), f = gate.apply(z[u + j]), g = act.apply(z[2 * u + j]), og = gate.apply(z[3 * u + j]);
                    if (real) {
                        c[j] = f * c[j] + i * g;
                        h[j] = og * act.apply(c[j]);
                    }
                    o[row + 2 * u + j] = i;
                    o[row + 3 * u + j] = f;
                    o[row + 4 * u + j] = g;
                    o[row + 5 * u + j] = og;
                }
                System.arraycopy(h, 0, o, row, u);
                System.arraycopy(c, 0, o, row + u, u);
            }
        }
        Dense.store(out, o);
    }

    /** dx [B,T,4H] (by input time), dw [H,4H], dh0 [B,H], dc0 [B,H], flat. */
    static void backward(OpCall call, Tensor out) {
        Tensor y = call.input(call.inputs().size() - 2);
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        Dims d = new Dims(y.dim(0), y.dim(1), call.input(0).dim(0), call.inputs().size() == 4 + a.cellOperands());
        OpAttrs.Recurrence.Activation act = a.activation(), gate = a.recurrentActivation();
        double[] w = Dense.doubles(call.input(0)), h0 = Dense.doubles(call.input(1)), c0 = Dense.doubles(call.input(2));
        double[] drop = a.recurrentDropout() ? Dense.doubles(call.input(3)) : null;
        long[] mask = d.masked ? Dense.longs(call.input(1 + a.cellOperands())) : null;
        double[] ys = Dense.doubles(y), gs = Dense.doubles(call.input(call.inputs().size() - 1));
        int u = d.units, gw = d.width(), ow = d.outWidth(), n = d.batch, steps = d.steps;
        int dwAt = n * steps * gw, dh0At = dwAt + u * gw, dc0At = dh0At + n * u;
        double[] r = new double[dc0At + n * u];
        double[] dh = new double[u], dc = new double[u], dz = new double[gw];
        for (int b = 0; b < n; b++) {
            java.util.Arrays.fill(dh, 0);
            java.util.Arrays.fill(dc, 0);
            for (int s = steps - 1; s >= 0; s--) {
                int t = a.inputIndex(s, steps);
                int row = (b * steps + a.outputIndex(s, steps)) * ow;
                int prev = s == 0 ? -1 : (b * steps + a.outputIndex(s - 1, steps)) * ow;
                boolean real = mask == null || mask[b * steps + t] != 0;
                for (int j = 0; j < u; j++) {
                    dh[j] += gs[row + j];
                    dc[j] += gs[row + u + j];
                }
                for (int j = 0; j < u; j++) {
                    double i = ys[row + 2 * u + j], f = ys[row + 3 * u + j], g = ys[row + 4 * u + j], og = ys[row + 5 * u + j];
                    double cPrev = prev < 0 ? c0[b * u + j] : ys[prev + u + j];
                    double di = gs[row + 2 * u + j], df = gs[row + 3 * u + j], dg = gs[row + 4 * u + j], dog = gs[row + 5 * u + j];
                    if (real) {
                        double tc = act.apply(ys[row + u + j]);
                        double dct = dc[j] + dh[j] * og * act.slope(tc);
                        di += dct * g;
                        df += dct * cPrev;
                        dg += dct * i;
                        dog += dh[j] * tc;
                        dc[j] = dct * f;
                    }
                    dz[j] = di * gate.slope(i);
                    dz[u + j] = df * gate.slope(f);
                    dz[2 * u + j] = dg * act.slope(g);
                    dz[3 * u + j] = dog * gate.slope(og);
                }
                System.arraycopy(dz, 0, r, (b * steps + t) * gw, gw);
                if (real) java.util.Arrays.fill(dh, 0); // a masked step hands h through unchanged
                RecurrentProduct.backward(dz, w, prev < 0 ? h0 : ys, prev < 0 ? b * u : prev, drop, b * gw, r, dwAt, dh);
            }
            System.arraycopy(dh, 0, r, dh0At + b * u, u);
            System.arraycopy(dc, 0, r, dc0At + b * u, u);
        }
        Dense.store(out, r);
    }
}
