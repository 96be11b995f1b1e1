package dev.javelin.tensor.reference;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Strided;

/**
 * REDUCE_SUM / REDUCE_MAX / REDUCE_MIN / ARGMAX / ARGMIN. Input elements are visited in row-major
 * order and each is folded into the output slot it reduces to, so the order of accumulation is fixed.
 * Floating sums accumulate in double; NaN propagates through max and min and wins ARGMAX/ARGMIN, as
 * in PyTorch; ties go to the first index.
 */
final class Reductions {
    private Reductions() {}

    static void reduce(OpCall call, Tensor out) {
        Tensor x = call.input(0);
        OpAttrs.Reduce r = call.attrs(OpAttrs.Reduce.class);
        int[] slot = slots(x.shape(), r.axes());
        int n = out.shape().sizeAsInt();
        switch (call.op()) {
            case ARGMAX, ARGMIN -> Dense.store(out, argReduce(call.op(), x, slot, n, r.axes()[0]));
            default -> {
                if (x.dtype().isFloating()) Dense.store(out, reduceFloat(call.op(), Dense.doubles(x), slot, n));
                else Dense.store(out, reduceInteger(call.op(), Dense.longs(x), slot, n));
            }
        }
    }

    /** For each input element (row-major), the index of the output element it reduces into. */
    private static int[] slots(Shape in, int[] axes) {
        int[] dims = in.toArray();
        boolean[] reduced = new boolean[dims.length];
        for (int a : axes) reduced[a] = true;
        int[] strides = new int[dims.length];
        int acc = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            if (reduced[d]) continue;
            strides[d] = acc;
            acc *= dims[d];
        }
        return Strided.offsets(in, strides, 0);
    }

    private static double[] reduceFloat(Op op, double[] v, int[] slot, int n) {
        double[] acc = new double[n];
        if (op == Op.REDUCE_MAX) java.util.Arrays.fill(acc, Double.NEGATIVE_INFINITY);
        if (op == Op.REDUCE_MIN) java.util.Arrays.fill(acc, Double.POSITIVE_INFINITY);
        for (int i = 0; i < v.length; i++) {
            int s = slot[i];
            acc[s] = switch (op) {
                case REDUCE_SUM -> acc[s] + v[i];
                case REDUCE_MAX -> Math.max(acc[s], v[i]);
                case REDUCE_MIN -> Math.min(acc[s], v[i]);
                default -> throw new IllegalArgumentException("reference: " + op + " is not a reduction");
            };
        }
        return acc;
    }

    private static long[] reduceInteger(Op op, long[] v, int[] slot, int n) {
        long[] acc = new long[n];
        if (op == Op.REDUCE_MAX) java.util.Arrays.fill(acc, Long.MIN_VALUE);
        if (op == Op.REDUCE_MIN) java.util.Arrays.fill(acc, Long.MAX_VALUE);
        for (int i = 0; i < v.length; i++) {
            int s = slot[i];
            acc[s] = switch (op) {
                case REDUCE_SUM -> acc[s] + v[i];
                case REDUCE_MAX -> Math.max(acc[s], v[i]);
                case REDUCE_MIN -> Math.min(acc[s], v[i]);
                default -> throw new IllegalArgumentException("reference: " + op + " is not a reduction");
            };
        }
        return acc;
    }

    private static long[] argReduce(Op op, Tensor x, int[] slot, int n, int axis) {
        int[] unit = new int[x.rank()];
        unit[axis] = 1;
        int[] pos = Strided.offsets(x.shape(), unit, 0); // each element's coordinate along the axis
        double[] v = x.dtype().isFloating() ? Dense.doubles(x) : null;
        long[] w = v == null ? Dense.longs(x) : null;
        boolean max = op == Op.ARGMAX;
        long[] best = new long[n];
        double[] bestF = new double[n];
        long[] bestI = new long[n];
        boolean[] seen = new boolean[n];
        for (int i = 0; i < pos.length; i++) {
            int s = slot[i];
            boolean better;
            if (v != null) {
                double c = v[i], b = bestF[s];
                better = !seen[s] || (!Double.isNaN(b) && (Double.isNaN(c) || (max ? c > b : c < b)));
                if (better) bestF[s] = c;
            } else {
                long c = w[i], b = bestI[s];
                better = !seen[s] || (max ? c > b : c < b);
                if (better) bestI[s] = c;
            }
            if (better) {
                best[s] = pos[i];
                seen[s] = true;
            }
        }
        return best;
    }
}
