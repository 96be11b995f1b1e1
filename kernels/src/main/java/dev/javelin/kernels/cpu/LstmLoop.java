package dev.javelin.kernels.cpu;

import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * The float32 LSTM RECURRENCE and its backward, as cuDNN and oneDNN run it: the caller already made
 * every step's input projection in one GEMM; per step, one GEMM {@code h·w} accumulates onto that
 * projection in the gate buffer, then the gates and the cell update run as a few vector loops per
 * example (sigmoid and tanh are the engine's generated eager kernels, the IR's definitions). The
 * backward walks the steps in reverse with one GEMM {@code dz·wᵀ} per step and gate-gradient loops,
 * and sums {@code dw} at the end in one GEMM over all steps' stacked previous states.
 *
 * <p>Examples are independent, so the batch is split once into row blocks, one per thread, each
 * walking all the steps alone (no fork-join per step). A row's results do not depend on the block
 * it is in (every GEMM element is one fixed FMA chain), so the bits do not depend on the thread count.
 * The math is {@code RecurrenceMath}'s (the reference backend's) in float32.
 */
final class LstmLoop {
    private static final float[] ONE = {1f};

    private final FloatLoops loops;

    LstmLoop(FloatLoops loops) {
        this.loops = loops;
    }

    /** A rank-3 float32 operand read in place when its last axis is dense, else as a dense copy. */
    private record Rows(float[] data, int offset, int batchStride, int stepStride) {
        static Rows of(Tensor t) {
            int[] s = t.strides();
            if (s[2] == 1 || t.dim(2) == 1) return new Rows(Elementwise.heap(t).floats(), t.offset(), s[0], s[1]);
            return new Rows(dense(t), 0, t.dim(1) * t.dim(2), t.dim(2));
        }

        int at(int b, int t) {
            return offset + b * batchStride + t * stepStride;
        }
    }

    void forward(OpCall call, Tensor out) {
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        Tensor x = call.input(0);
        int n = x.dim(0), steps = x.dim(1), u = call.input(1).dim(0), gw = 4 * u, ow = 6 * u;
        Rows xs = Rows.of(x);
        float[] w = dense(call.input(1)), h0 = dense(call.input(2)), c0 = dense(call.input(3));
        boolean[] mask = call.inputs().size() == 5 ? denseBools(call.input(4)) : null;
        float[] o = Elementwise.heap(out).floats();
        int oo = out.offset(), ldo = steps * ow;
        CpuThreads.parallelFor(n, rowBlock(n, (long) steps * gw * u), (from, to) -> {
            float[] tmp = new float[u];
            for (int s = 0; s < steps; s++) {
                int t = a.inputIndex(s, steps), at = oo + a.outputIndex(s, steps) * ow;
                int prev = s == 0 ? -1 : oo + a.outputIndex(s - 1, steps) * ow;
                for (int b = from; b < to; b++) System.arraycopy(xs.data, xs.at(b, t), o, at + b * ldo + 2 * u, gw);
                if (s == 0) Sgemm.multiply(to - from, gw, u, h0, from * u, u, 1, w, 0, gw, 1, o, at + from * ldo + 2 * u, ldo, true);
                else Sgemm.multiply(to - from, gw, u, o, prev + from * ldo, ldo, 1, w, 0, gw, 1, o, at + from * ldo + 2 * u, ldo, true);
                for (int b = from; b < to; b++) {
                    int row = at + b * ldo;
                    float[] hp = s == 0 ? h0 : o, cp = s == 0 ? c0 : o;
                    int hpo = s == 0 ? b * u : prev + b * ldo, cpo = s == 0 ? b * u : prev + b * ldo + u;
                    cell(o, row, u, hp, hpo, cp, cpo, mask == null || mask[b * steps + t], tmp);
                }
            }
        });
    }

    /** One example's step: activates the gates in place, then c and h (or keeps the previous ones on a masked step). */
    private void cell(float[] o, int row, int u, float[] hp, int hpo, float[] cp, int cpo, boolean real, float[] tmp) {
        int i = row + 2 * u, f = row + 3 * u, g = row + 4 * u, og = row + 5 * u;
        loops.unary(Op.SIGMOID, o, i, 1, o, i, 1, 2 * u);
        loops.unary(Op.TANH, o, g, 1, o, g, 1, u);
        loops.unary(Op.SIGMOID, o, og, 1, o, og, 1, u);
        if (!real) {
            System.arraycopy(hp, hpo, o, row, u);
            System.arraycopy(cp, cpo, o, row + u, u);
            return;
        }
        loops.binary(Op.MUL, o, f, 1, cp, cpo, 1, o, row + u, 1, u);
        loops.binary(Op.MUL, o, i, 1, o, g, 1, tmp, 0, 1, u);
        loops.binary(Op.ADD, o, row + u, 1, tmp, 0, 1, o, row + u, 1, u);
        loops.unary(Op.TANH, o, row + u, 1, tmp, 0, 1, u);
        loops.binary(Op.MUL, o, og, 1, tmp, 0, 1, o, row, 1, u);
    }

    void backward(OpCall call, Tensor out) {
        OpAttrs.Recurrence a = call.attrs(OpAttrs.Recurrence.class);
        int last = call.inputs().size();
        Tensor y = call.input(last - 2);
        int n = y.dim(0), steps = y.dim(1), u = call.input(0).dim(0), gw = 4 * u;
        float[] wt = transposed(call.input(0)), h0 = dense(call.input(1)), c0 = dense(call.input(2));
        boolean[] mask = last == 6 ? denseBools(call.input(3)) : null;
        Rows ys = Rows.of(y), gs = Rows.of(call.input(last - 1));
        float[] r = Elementwise.heap(out).floats();
        int ro = out.offset(), dwAt = ro + n * steps * gw, dh0At = dwAt + u * gw, dc0At = dh0At + n * u;
        float[] hPrev = new float[n * steps * u]; // by input time: the h each step's gates saw, for dw
        CpuThreads.parallelFor(n, rowBlock(n, (long) steps * gw * u), (from, to) -> {
            int rows = to - from;
            float[] dh = new float[rows * u], dc = new float[rows * u], dhNext = new float[rows * u];
            Scratch tmp = new Scratch(u);
            for (int s = steps - 1; s >= 0; s--) {
                int t = a.inputIndex(s, steps), os = a.outputIndex(s, steps), ps = s == 0 ? -1 : a.outputIndex(s - 1, steps);
                for (int b = from; b < to; b++) {
                    int k = (b - from) * u, yr = ys.at(b, os), gr = gs.at(b, os);
                    loops.binary(Op.ADD, dh, k, 1, gs.data, gr, 1, dh, k, 1, u);
                    loops.binary(Op.ADD, dc, k, 1, gs.data, gr + u, 1, dc, k, 1, u);
                    float[] cp = s == 0 ? c0 : ys.data;
                    int cpo = s == 0 ? b * u : ys.at(b, ps) + u;
                    System.arraycopy(s == 0 ? h0 : ys.data, s == 0 ? b * u : ys.at(b, ps), hPrev, (b * steps + t) * u, u);
                    boolean real = mask == null || mask[b * steps + t];
                    gateGradients(ys.data, yr, gs.data, gr, dh, dc, k, cp, cpo, r, ro + (b * steps + t) * gw, u, real, tmp);
                }
                Sgemm.multiply(rows, u, gw, r, ro + (from * steps + t) * gw, steps * gw, 1, wt, 0, u, 1, dhNext, 0, u, false);
                for (int b = from; b < to; b++) {
                    // a masked step hands h through unchanged, beside what its (stored) gates sent back
                    int k = (b - from) * u;
                    if (mask != null && !mask[b * steps + t]) loops.binary(Op.ADD, dhNext, k, 1, dh, k, 1, dhNext, k, 1, u);
                }
                float[] swap = dh;
                dh = dhNext;
                dhNext = swap;
            }
            System.arraycopy(dh, 0, r, dh0At + from * u, rows * u);
            System.arraycopy(dc, 0, r, dc0At + from * u, rows * u);
        });
        Sgemm.multiply(u, gw, n * steps, hPrev, 0, 1, u, r, ro, gw, 1, r, dwAt, gw, false);
    }

    /** Three rows of {@code units} floats for the gate gradients. */
    private record Scratch(float[] tc, float[] t1, float[] t2) {
        Scratch(int u) {
            this(new float[u], new float[u], new float[u]);
        }
    }

    /**
     * dz of one example's step into {@code dz[dzo..dzo+4u)} (gates i, f, g, o); on a real step also
     * turns {@code dc} (which holds the incoming gradient of c) into that of the previous c. With
     * {@code dct = dc + dh·o·(1 - tanh²c)}: {@code dz_i = (gi + dct·g)·i(1-i)}, {@code dz_f = (gf + dct·c_prev)·f(1-f)},
     * {@code dz_g = (gg + dct·i)(1-g²)}, {@code dz_o = (go + dh·tanh c)·o(1-o)}, {@code dc_prev = dct·f},
     * where {@code gi..go} are the gradients of the stored gates (usually zero).
     */
    private void gateGradients(float[] y, int yr, float[] g, int gr, float[] dh, float[] dc, int k, float[] cp, int cpo,
                               float[] dz, int dzo, int u, boolean real, Scratch s) {
        int c = yr + u, i = yr + 2 * u, f = yr + 3 * u, gg = yr + 4 * u, o = yr + 5 * u;
        float[] tc = s.tc, t1 = s.t1, t2 = s.t2;
        if (!real) {
            sigmoidGrad(g, gr + 2 * u, y, i, dz, dzo, u, t2);
            sigmoidGrad(g, gr + 3 * u, y, f, dz, dzo + u, u, t2);
            tanhGrad(g, gr + 4 * u, y, gg, dz, dzo + 2 * u, u, t2);
            sigmoidGrad(g, gr + 5 * u, y, o, dz, dzo + 3 * u, u, t2);
            return;
        }
        loops.unary(Op.TANH, y, c, 1, tc, 0, 1, u);
        // o: (go + dh·tanh c)·o(1-o)
        loops.binary(Op.MUL, dh, k, 1, tc, 0, 1, t1, 0, 1, u);
        loops.binary(Op.ADD, t1, 0, 1, g, gr + 5 * u, 1, t1, 0, 1, u);
        sigmoidGrad(t1, 0, y, o, dz, dzo + 3 * u, u, t2);
        // dct = dc + dh·o·(1 - tanh²c), kept in dc
        loops.binary(Op.MUL, tc, 0, 1, tc, 0, 1, tc, 0, 1, u);
        loops.binary(Op.SUB, ONE, 0, 0, tc, 0, 1, tc, 0, 1, u);
        loops.binary(Op.MUL, tc, 0, 1, y, o, 1, tc, 0, 1, u);
        loops.binary(Op.MUL, tc, 0, 1, dh, k, 1, tc, 0, 1, u);
        loops.binary(Op.ADD, dc, k, 1, tc, 0, 1, dc, k, 1, u);
        // i: (gi + dct·g)·i(1-i);  f: (gf + dct·c_prev)·f(1-f);  g: (gg + dct·i)(1-g²)
        loops.binary(Op.MUL, dc, k, 1, y, gg, 1, t1, 0, 1, u);
        loops.binary(Op.ADD, t1, 0, 1, g, gr + 2 * u, 1, t1, 0, 1, u);
        sigmoidGrad(t1, 0, y, i, dz, dzo, u, t2);
        loops.binary(Op.MUL, dc, k, 1, cp, cpo, 1, t1, 0, 1, u);
        loops.binary(Op.ADD, t1, 0, 1, g, gr + 3 * u, 1, t1, 0, 1, u);
        sigmoidGrad(t1, 0, y, f, dz, dzo + u, u, t2);
        loops.binary(Op.MUL, dc, k, 1, y, i, 1, t1, 0, 1, u);
        loops.binary(Op.ADD, t1, 0, 1, g, gr + 4 * u, 1, t1, 0, 1, u);
        tanhGrad(t1, 0, y, gg, dz, dzo + 2 * u, u, t2);
        // dc_prev = dct·f
        loops.binary(Op.MUL, dc, k, 1, y, f, 1, dc, k, 1, u);
    }

    /** {@code dz = d·s(1-s)} for the stored sigmoid {@code s}. */
    private void sigmoidGrad(float[] d, int dOff, float[] y, int s, float[] dz, int dzo, int u, float[] t2) {
        loops.binary(Op.SUB, ONE, 0, 0, y, s, 1, t2, 0, 1, u);
        loops.binary(Op.MUL, t2, 0, 1, y, s, 1, t2, 0, 1, u);
        loops.binary(Op.MUL, d, dOff, 1, t2, 0, 1, dz, dzo, 1, u);
    }

    /** {@code dz = d·(1-v²)} for the stored tanh {@code v}. */
    private void tanhGrad(float[] d, int dOff, float[] y, int v, float[] dz, int dzo, int u, float[] t2) {
        loops.binary(Op.MUL, y, v, 1, y, v, 1, t2, 0, 1, u);
        loops.binary(Op.SUB, ONE, 0, 0, t2, 0, 1, t2, 0, 1, u);
        loops.binary(Op.MUL, d, dOff, 1, t2, 0, 1, dz, dzo, 1, u);
    }

    /** Rows per block: one block per thread, or all on the caller when the whole loop is small. */
    private static int rowBlock(int n, long flopsPerRow) {
        if ((long) n * flopsPerRow < CpuThreads.SMALL_WORK) return Math.max(1, n);
        int threads = Math.min(n, CpuThreads.threads());
        return (n + threads - 1) / threads;
    }

    /** A float32 tensor's elements in row-major order. */
    static float[] dense(Tensor t) {
        float[] src = Elementwise.heap(t).floats();
        if (t.isContiguous() && t.offset() == 0 && src.length == t.size()) return src;
        float[] d = new float[(int) t.size()];
        int[] shape = t.shape().toArray(), strides = t.strides(), idx = new int[shape.length];
        for (int e = 0; e < d.length; e++) {
            int off = t.offset();
            for (int ax = 0; ax < shape.length; ax++) off += idx[ax] * strides[ax];
            d[e] = src[off];
            for (int ax = shape.length - 1; ax >= 0 && ++idx[ax] == shape[ax]; ax--) idx[ax] = 0;
        }
        return d;
    }

    private static boolean[] denseBools(Tensor t) {
        boolean[] src = Elementwise.heap(t).bools();
        boolean[] d = new boolean[(int) t.size()];
        int cols = t.dim(1), s0 = t.stride(0), s1 = t.stride(1);
        for (int e = 0; e < d.length; e++) d[e] = src[t.offset() + (e / cols) * s0 + (e % cols) * s1];
        return d;
    }

    /** w [u, 4u] as its transpose [4u, u], dense: the B operand of the backward's per-step GEMM, read in place. */
    private static float[] transposed(Tensor w) {
        float[] d = dense(w);
        int u = w.dim(0), gw = w.dim(1);
        float[] tr = new float[d.length];
        for (int k = 0; k < u; k++) {
            for (int j = 0; j < gw; j++) tr[j * u + k] = d[k * gw + j];
        }
        return tr;
    }
}
