package dev.javelin.tensor.reference;

import dev.javelin.tensor.AttentionLayout;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * ATTENTION and ATTENTION_BACKWARD as the textbook math in double: the whole score row is formed,
 * softmaxed and multiplied out (the composition a fused kernel must match), one batch entry and query
 * row at a time. A row whose every score is -inf gets a zero output and logsumexp -inf, and no gradient.
 */
final class AttentionMath {
    private AttentionMath() {}

    /** The sizes of one call, read from q [B...,Tq,D], k [B...,Tk,D], v [B...,Tk,Dv]. */
    private record Dims(int batch, int tq, int tk, int d, int dv) {
        static Dims of(OpCall call) {
            Tensor q = call.input(0), v = call.input(2);
            int batch = 1;
            for (int i = 0; i < q.rank() - 2; i++) batch *= q.dim(i);
            return new Dims(batch, q.dim(-2), v.dim(-2), q.dim(-1), v.dim(-1));
        }
    }

    /** The attention output and each row's logsumexp, packed as {@link AttentionLayout} says. */
    static void forward(OpCall call, Tensor out) {
        Dims n = Dims.of(call);
        AttentionLayout layout = AttentionLayout.of(call);
        Scores sc = new Scores(call, n);
        double[] v = Dense.doubles(call.input(2));
        double[] o = new double[n.batch * n.tq * (n.dv + 1)];
        double[] p = new double[n.tk];
        for (int b = 0; b < n.batch; b++) {
            for (int i = 0; i < n.tq; i++) {
                int row = layout.outputRow(b, i);
                double lse = sc.softmax(b, i, p);
                o[layout.logsumexp(b, i)] = lse;
                for (int j = 0; j < n.tk; j++) {
                    for (int c = 0; c < n.dv; c++) o[row + c] += p[j] * v[(b * n.tk + j) * n.dv + c];
                }
            }
        }
        Dense.store(out, o);
    }

    /**
     * dq, dk, dv packed as {@link AttentionLayout} says. With {@code P} the weights, {@code dO} the output's gradient
     * and {@code g_lse} the logsumexp's: {@code dV = Pᵀ·dO}, {@code dP = dO·Vᵀ},
     * {@code dS = P ∘ (dP - rowsum(dO ∘ O) + g_lse)}, {@code dQ = scale·dS·K}, {@code dK = scale·dSᵀ·Q}.
     */
    static void backward(OpCall call, Tensor out) {
        Dims n = Dims.of(call);
        AttentionLayout layout = AttentionLayout.of(call);
        Scores sc = new Scores(call, n);
        boolean masked = call.inputs().size() == 7;
        double[] q = Dense.doubles(call.input(0)), k = Dense.doubles(call.input(1)), v = Dense.doubles(call.input(2));
        double[] o = Dense.doubles(call.input(masked ? 4 : 3));
        double[] g = Dense.doubles(call.input(masked ? 5 : 4)), gLse = Dense.doubles(call.input(masked ? 6 : 5));
        double scale = call.attrs(OpAttrs.Attention.class).scale();
        int per = n.tq * n.d + n.tk * n.d + n.tk * n.dv;
        double[] grads = new double[n.batch * per];
        double[] p = new double[n.tk];
        for (int b = 0; b < n.batch; b++) {
            for (int i = 0; i < n.tq; i++) {
                int row = layout.outputRow(b, i), gRow = (b * n.tq + i) * n.dv, dq = layout.gradientRow(0, b, i);
                sc.softmax(b, i, p);
                double delta = -gLse[b * n.tq + i];
                for (int c = 0; c < n.dv; c++) delta += g[gRow + c] * o[row + c];
                for (int j = 0; j < n.tk; j++) {
                    if (p[j] == 0) continue;
                    int kj = (b * n.tk + j), dk = layout.gradientRow(1, b, j), dv = layout.gradientRow(2, b, j);
                    double dp = 0;
                    for (int c = 0; c < n.dv; c++) {
                        dp += g[gRow + c] * v[kj * n.dv + c];
                        grads[dv + c] += p[j] * g[gRow + c];
                    }
                    double ds = p[j] * (dp - delta) * scale;
                    for (int c = 0; c < n.d; c++) {
                        grads[dq + c] += ds * k[kj * n.d + c];
                        grads[dk + c] += ds * q[(b * n.tq + i) * n.d + c];
                    }
                }
            }
        }
        Dense.store(out, grads);
    }

    /** The score rows {@code q·kᵀ·scale + mask} (causal entries -inf) and their softmax. */
    private static final class Scores {
        private final Dims n;
        private final double[] q, k, mask;
        private final OpAttrs.Attention attrs;

        Scores(OpCall call, Dims n) {
            this.n = n;
            this.q = Dense.doubles(call.input(0));
            this.k = Dense.doubles(call.input(1));
            boolean hasMask = call.op() == dev.javelin.tensor.Op.ATTENTION ? call.inputs().size() == 4 : call.inputs().size() == 7;
            this.mask = hasMask ? Dense.doubles(call.input(3)) : null;
            this.attrs = call.attrs(OpAttrs.Attention.class);
        }

        /** Fills {@code p} with row i's softmax and returns its logsumexp (-inf, and p all zero, when every score is -inf). */
        double softmax(int b, int i, double[] p) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n.tk; j++) {
                double s = 0;
                for (int c = 0; c < n.d; c++) s += q[(b * n.tq + i) * n.d + c] * k[(b * n.tk + j) * n.d + c];
                s *= attrs.scale();
                if (mask != null) s += mask[(b * n.tq + i) * n.tk + j];
                if (attrs.causal() && j > i) s = Double.NEGATIVE_INFINITY;
                p[j] = s;
                max = Math.max(max, s);
            }
            if (max == Double.NEGATIVE_INFINITY) {
                java.util.Arrays.fill(p, 0);
                return Double.NEGATIVE_INFINITY;
            }
            double sum = 0;
            for (int j = 0; j < n.tk; j++) sum += p[j] = Math.exp(p[j] - max);
            for (int j = 0; j < n.tk; j++) p[j] /= sum;
            return max + Math.log(sum);
        }
    }
}
