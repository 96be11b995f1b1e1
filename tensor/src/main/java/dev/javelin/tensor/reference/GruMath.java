package dev.javelin.tensor.reference;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * RECURRENCE and RECURRENCE_BACKWARD for the GRU cell (Keras's {@code reset_after=True}, PyTorch's
 * GRU) as the textbook loop in double, one example and one step at a time. Per processing step:
 * <pre>
 * a = h·w + b  (the recurrent part, gates z, r, h);  z = gate(x_z + a_z);  r = gate(x_r + a_r)
 * n = act(x_h + r*a_h);  h' = n + z*(h - n)           (a masked step keeps h; the rest is still stored)
 * </pre>
 * Stored per step: h', z, r, n and a_h. Backward runs the steps in reverse, carrying dh, and honours
 * the gradients of every stored column.
 */
final class GruMath {
    private GruMath() {}

    static void forward(OpCall call, Tensor out) {
        Tensor x = call.input(0);
        int n = x.dim(0), steps = x.dim(1), u = call.input(1).dim(0), gw = 3 * u, ow = 5 * u;
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        boolean masked = call.inputs().size() == 3 + a.cellOperands();
        OpAttrs.Recurrence.Activation act = a.activation(), gate = a.recurrentActivation();
        double[] xs = Dense.doubles(x), w = Dense.doubles(call.input(1)), bias = Dense.doubles(call.input(2));
        double[] h0 = Dense.doubles(call.input(3));
        double[] drop = a.recurrentDropout() ? Dense.doubles(call.input(4)) : null;
        long[] mask = masked ? Dense.longs(call.input(2 + a.cellOperands())) : null;
        double[] o = new double[n * steps * ow];
        double[] h = new double[u], inner = new double[gw];
        for (int b = 0; b < n; b++) {
            System.arraycopy(h0, b * u, h, 0, u);
            for (int s = 0; s < steps; s++) {
                int t = a.inputIndex(s, steps);
                RecurrentProduct.forward(h, drop, b * gw, w, bias, 0, inner);
                boolean real = mask == null || mask[b * steps + t] != 0;
                int xr = (b * steps + t) * gw, row = (b * steps + a.outputIndex(s, steps)) * ow;
                for (int j = 0; j < u; j++) {
                    double z = gate.apply(xs[xr + j] + inner[j]), r = gate.apply(xs[xr + u + j] + inner[u + j]);
                    double cand = act.apply(xs[xr + 2 * u + j] + r * inner[2 * u + j]);
                    o[row + u + j] = z;
                    o[row + 2 * u + j] = r;
                    o[row + 3 * u + j] = cand;
                    o[row + 4 * u + j] = inner[2 * u + j];
                    if (real) o[row + j] = cand + z * (h[j] - cand);
                    else o[row + j] = h[j];
                }
                for (int j = 0; j < u; j++) h[j] = o[row + j];
            }
        }
        Dense.store(out, o);
    }

    /** dx [B,T,3H] (by input time), dw [H,3H], db [3H], dh0 [B,H], flat. */
    static void backward(OpCall call, Tensor out) {
        int last = call.inputs().size();
        Tensor y = call.input(last - 2);
        int n = y.dim(0), steps = y.dim(1), u = call.input(0).dim(0), gw = 3 * u, ow = 5 * u;
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        boolean masked = last == 4 + a.cellOperands();
        OpAttrs.Recurrence.Activation act = a.activation(), gate = a.recurrentActivation();
        double[] w = Dense.doubles(call.input(0)), h0 = Dense.doubles(call.input(2));
        double[] drop = a.recurrentDropout() ? Dense.doubles(call.input(3)) : null;
        long[] mask = masked ? Dense.longs(call.input(1 + a.cellOperands())) : null;
        double[] ys = Dense.doubles(y), gs = Dense.doubles(call.input(last - 1));
        int dwAt = n * steps * gw, dbAt = dwAt + u * gw, dh0At = dbAt + gw;
        double[] r = new double[dh0At + n * u];
        double[] dh = new double[u], dInner = new double[gw];
        for (int b = 0; b < n; b++) {
            java.util.Arrays.fill(dh, 0);
            for (int s = steps - 1; s >= 0; s--) {
                int t = a.inputIndex(s, steps);
                int row = (b * steps + a.outputIndex(s, steps)) * ow;
                int prev = s == 0 ? -1 : (b * steps + a.outputIndex(s - 1, steps)) * ow;
                boolean real = mask == null || mask[b * steps + t] != 0;
                int dx = (b * steps + t) * gw;
                double[] direct = new double[u];
                for (int j = 0; j < u; j++) {
                    double d = dh[j] + gs[row + j];
                    double dGate = real ? d : 0;
                    double z = ys[row + u + j], rr = ys[row + 2 * u + j], cand = ys[row + 3 * u + j], ah = ys[row + 4 * u + j];
                    double hPrev = prev < 0 ? h0[b * u + j] : ys[prev + j];
                    double dCand = dGate * (1 - z) + gs[row + 3 * u + j];
                    double dz = dGate * (hPrev - cand) + gs[row + u + j];
                    double dPre = dCand * act.slope(cand);
                    double dr = dPre * ah + gs[row + 2 * u + j];
                    r[dx + j] = dz * gate.slope(z);
                    r[dx + u + j] = dr * gate.slope(rr);
                    r[dx + 2 * u + j] = dPre;
                    dInner[j] = r[dx + j];
                    dInner[u + j] = r[dx + u + j];
                    dInner[2 * u + j] = dPre * rr + gs[row + 4 * u + j];
                    direct[j] = real ? d * z : d;
                }
                for (int j = 0; j < gw; j++) r[dbAt + j] += dInner[j];
                System.arraycopy(direct, 0, dh, 0, u);
                RecurrentProduct.backward(dInner, w, prev < 0 ? h0 : ys, prev < 0 ? b * u : prev, drop, b * gw, r, dwAt, dh);
            }
            System.arraycopy(dh, 0, r, dh0At + b * u, u);
        }
        Dense.store(out, r);
    }
}
