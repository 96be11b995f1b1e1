package dev.javelin.tensor.reference;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * RECURRENCE and RECURRENCE_BACKWARD for the cell {@code GRU_RESET_BEFORE} (Keras's GRU with
 * {@code reset_after=False}) as the textbook loop in double, one example and one step at a time. With
 * {@code m_q} the recurrent dropout multiplier of gate q (1 without), per processing step:
 * <pre>
 * z = gate(x_z + (h∘m_z)·w_z);  r = gate(x_r + (h∘m_r)·w_r)
 * n = act(x_h + (r∘h∘m_h)·w_h);  h' = n + z*(h - n)        (a masked step keeps h; z, r, n are still stored)
 * </pre>
 * Stored per step: h', z, r, n. Backward runs the steps in reverse, carrying dh, and honours the
 * gradients of every stored column.
 */
final class GruResetBeforeMath {
    private GruResetBeforeMath() {}

    static void forward(OpCall call, Tensor out) {
        Tensor x = call.input(0);
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        int n = x.dim(0), steps = x.dim(1), u = call.input(1).dim(0), gw = 3 * u, ow = 4 * u;
        double[] xs = Dense.doubles(x), w = Dense.doubles(call.input(1)), h0 = Dense.doubles(call.input(2));
        double[] drop = a.recurrentDropout() ? Dense.doubles(call.input(3)) : null;
        long[] mask = call.inputs().size() == 3 + a.cellOperands() ? Dense.longs(call.input(2 + a.cellOperands())) : null;
        double[] o = new double[n * steps * ow];
        double[] h = new double[u], reset = new double[u];
        for (int b = 0; b < n; b++) {
            System.arraycopy(h0, b * u, h, 0, u);
            for (int s = 0; s < steps; s++) {
                int t = a.inputIndex(s, steps), xr = (b * steps + t) * gw, row = (b * steps + a.outputIndex(s, steps)) * ow;
                for (int j = 0; j < u; j++) {
                    double z = xs[xr + j], r = xs[xr + u + j];
                    for (int k = 0; k < u; k++) {
                        z += h[k] * m(drop, b, gw, 0, u, k) * w[k * gw + j];
                        r += h[k] * m(drop, b, gw, 1, u, k) * w[k * gw + u + j];
                    }
                    o[row + u + j] = a.recurrentActivation().apply(z);
                    o[row + 2 * u + j] = a.recurrentActivation().apply(r);
                }
                for (int k = 0; k < u; k++) reset[k] = o[row + 2 * u + k] * h[k] * m(drop, b, gw, 2, u, k);
                for (int j = 0; j < u; j++) {
                    double pre = xs[xr + 2 * u + j];
                    for (int k = 0; k < u; k++) pre += reset[k] * w[k * gw + 2 * u + j];
                    o[row + 3 * u + j] = a.activation().apply(pre);
                }
                boolean real = mask == null || mask[b * steps + t] != 0;
                for (int j = 0; j < u; j++) {
                    double z = o[row + u + j], cand = o[row + 3 * u + j];
                    if (real) h[j] = cand + z * (h[j] - cand);
                    o[row + j] = h[j];
                }
            }
        }
        Dense.store(out, o);
    }

    /** dx [B,T,3H] (by input time), dw [H,3H], dh0 [B,H], flat. */
    static void backward(OpCall call, Tensor out) {
        int last = call.inputs().size();
        Tensor y = call.input(last - 2);
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        OpAttrs.Recurrence.Activation act = a.activation(), gate = a.recurrentActivation();
        int n = y.dim(0), steps = y.dim(1), u = call.input(0).dim(0), gw = 3 * u, ow = 4 * u;
        double[] w = Dense.doubles(call.input(0)), h0 = Dense.doubles(call.input(1));
        double[] drop = a.recurrentDropout() ? Dense.doubles(call.input(2)) : null;
        long[] mask = last == 4 + a.cellOperands() ? Dense.longs(call.input(1 + a.cellOperands())) : null;
        double[] ys = Dense.doubles(y), gs = Dense.doubles(call.input(last - 1));
        int dwAt = n * steps * gw, dh0At = dwAt + u * gw;
        double[] r = new double[dh0At + n * u];
        double[] dh = new double[u], hPrev = new double[u], dxh = new double[u], dReset = new double[u], next = new double[u];
        for (int b = 0; b < n; b++) {
            java.util.Arrays.fill(dh, 0);
            for (int s = steps - 1; s >= 0; s--) {
                int t = a.inputIndex(s, steps), dx = (b * steps + t) * gw;
                int row = (b * steps + a.outputIndex(s, steps)) * ow;
                int prev = s == 0 ? -1 : (b * steps + a.outputIndex(s - 1, steps)) * ow;
                boolean real = mask == null || mask[b * steps + t] != 0;
                for (int k = 0; k < u; k++) hPrev[k] = prev < 0 ? h0[b * u + k] : ys[prev + k];
                // the candidate first: its product's gradient reaches r and h
                for (int j = 0; j < u; j++) {
                    double d = real ? dh[j] + gs[row + j] : 0;
                    double z = ys[row + u + j], cand = ys[row + 3 * u + j];
                    double dCand = d * (1 - z) + gs[row + 3 * u + j];
                    dxh[j] = dCand * act.slope(cand);
                    r[dx + j] = (d * (hPrev[j] - cand) + gs[row + u + j]) * gate.slope(z);
                    r[dx + 2 * u + j] = dxh[j];
                }
                for (int k = 0; k < u; k++) {
                    double acc = 0;
                    for (int j = 0; j < u; j++) acc += dxh[j] * w[k * gw + 2 * u + j];
                    dReset[k] = acc * m(drop, b, gw, 2, u, k); // d(r∘h) through w_h
                }
                for (int k = 0; k < u; k++) {
                    double rr = ys[row + 2 * u + k];
                    r[dx + u + k] = (dReset[k] * hPrev[k] + gs[row + 2 * u + k]) * gate.slope(rr);
                    double d = dh[k] + gs[row + k];
                    next[k] = (real ? d * ys[row + u + k] : d) + dReset[k] * rr;
                }
                for (int k = 0; k < u; k++) {
                    double rr = ys[row + 2 * u + k], acc = next[k];
                    for (int j = 0; j < 2 * u; j++) {
                        double mq = m(drop, b, gw, j / u, u, k);
                        acc += r[dx + j] * mq * w[k * gw + j];
                        r[dwAt + k * gw + j] += hPrev[k] * mq * r[dx + j];
                    }
                    for (int j = 0; j < u; j++) r[dwAt + k * gw + 2 * u + j] += rr * hPrev[k] * m(drop, b, gw, 2, u, k) * dxh[j];
                    next[k] = acc;
                }
                System.arraycopy(next, 0, dh, 0, u);
            }
            System.arraycopy(dh, 0, r, dh0At + b * u, u);
        }
        Dense.store(out, r);
    }

    /** Gate q's recurrent dropout multiplier for unit k of example b (1 without dropout). */
    private static double m(double[] drop, int b, int gw, int q, int u, int k) {
        return drop == null ? 1 : drop[b * gw + q * u + k];
    }
}
