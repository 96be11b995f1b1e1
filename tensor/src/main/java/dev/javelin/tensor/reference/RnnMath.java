package dev.javelin.tensor.reference;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * RECURRENCE and RECURRENCE_BACKWARD for the plain cell {@code RNN} (Keras's SimpleRNN, PyTorch's
 * {@code nn.RNN}) as the textbook loop in double, one example and one step at a time. Per processing
 * step: {@code h' = act(x[t] + h·w)}, a masked step keeping h. Only h is stored: the activation's
 * derivative comes from it ({@code Activation.slope}).
 */
final class RnnMath {
    private RnnMath() {}

    static void forward(OpCall call, Tensor out) {
        Tensor x = call.input(0);
        int n = x.dim(0), steps = x.dim(1), u = call.input(1).dim(0);
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        OpAttrs.Recurrence.Activation act = a.activation();
        double[] xs = Dense.doubles(x), w = Dense.doubles(call.input(1)), h0 = Dense.doubles(call.input(2));
        double[] drop = a.recurrentDropout() ? Dense.doubles(call.input(3)) : null;
        long[] mask = call.inputs().size() == 3 + a.cellOperands() ? Dense.longs(call.input(2 + a.cellOperands())) : null;
        double[] o = new double[n * steps * u];
        double[] h = new double[u], next = new double[u];
        for (int b = 0; b < n; b++) {
            System.arraycopy(h0, b * u, h, 0, u);
            for (int s = 0; s < steps; s++) {
                int t = a.inputIndex(s, steps);
                RecurrentProduct.forward(h, drop, b * u, w, xs, (b * steps + t) * u, next);
                for (int j = 0; j < u; j++) next[j] = act.apply(next[j]);
                if (mask == null || mask[b * steps + t] != 0) System.arraycopy(next, 0, h, 0, u);
                System.arraycopy(h, 0, o, (b * steps + a.outputIndex(s, steps)) * u, u);
            }
        }
        Dense.store(out, o);
    }

    /** dx [B,T,H] (by input time), dw [H,H], dh0 [B,H], flat. */
    static void backward(OpCall call, Tensor out) {
        int last = call.inputs().size();
        Tensor y = call.input(last - 2);
        int n = y.dim(0), steps = y.dim(1), u = call.input(0).dim(0);
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        OpAttrs.Recurrence.Activation act = a.activation();
        double[] w = Dense.doubles(call.input(0)), h0 = Dense.doubles(call.input(1));
        double[] drop = a.recurrentDropout() ? Dense.doubles(call.input(2)) : null;
        long[] mask = last == 4 + a.cellOperands() ? Dense.longs(call.input(1 + a.cellOperands())) : null;
        double[] ys = Dense.doubles(y), gs = Dense.doubles(call.input(last - 1));
        int dwAt = n * steps * u, dh0At = dwAt + u * u;
        double[] r = new double[dh0At + n * u];
        double[] dh = new double[u], dpre = new double[u];
        for (int b = 0; b < n; b++) {
            java.util.Arrays.fill(dh, 0);
            for (int s = steps - 1; s >= 0; s--) {
                int t = a.inputIndex(s, steps);
                int row = (b * steps + a.outputIndex(s, steps)) * u;
                int prev = s == 0 ? -1 : (b * steps + a.outputIndex(s - 1, steps)) * u;
                boolean real = mask == null || mask[b * steps + t] != 0;
                for (int j = 0; j < u; j++) {
                    dh[j] += gs[row + j];
                    double hj = ys[row + j];
                    dpre[j] = real ? dh[j] * act.slope(hj) : 0;
                }
                System.arraycopy(dpre, 0, r, (b * steps + t) * u, u);
                if (real) java.util.Arrays.fill(dh, 0); // a masked step hands h through unchanged
                RecurrentProduct.backward(dpre, w, prev < 0 ? h0 : ys, prev < 0 ? b * u : prev, drop, b * u, r, dwAt, dh);
            }
            System.arraycopy(dh, 0, r, dh0At + b * u, u);
        }
        Dense.store(out, r);
    }
}
