package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;

/**
 * Window arithmetic over any number of spatial axes of channels-last inputs, from primitives: nearest
 * upsampling (a broadcast view per axis) and separable box pooling (a max or sum over a box is the
 * same taken one axis at a time; each axis takes its k strided slices).
 */
final class SpatialOps {
    private SpatialOps() {}

    /** Repeats each entry {@code factors[a]} times along spatial axis {@code a + 1}. */
    static Tensor nearest(Tensor x, int[] factors) {
        Tensor y = x;
        for (int a = 0; a < factors.length; a++) {
            int axis = a + 1;
            int[] lifted = new int[y.rank() + 1], expanded = new int[y.rank() + 1], out = y.shape().toArray();
            for (int d = 0, k = 0; d < y.rank(); d++) {
                lifted[k] = y.dim(d);
                expanded[k++] = y.dim(d);
                if (d == axis) {
                    lifted[k] = 1;
                    expanded[k++] = factors[a];
                }
            }
            out[axis] *= factors[a];
            y = y.reshape(lifted).expand(expanded).reshape(out);
        }
        return y;
    }

    /**
     * Max (or sum) over boxes of {@code pool} with {@code strides} and Keras's padding on spatial axes
     * 1..n; "same" pads with -inf for max and 0 for sums.
     */
    static Tensor boxReduce(String layer, Tensor x, int[] pool, int[] strides, String padding, boolean max) {
        Tensor y = x;
        for (int a = 0; a < pool.length; a++) {
            int axis = a + 1, n = y.dim(axis);
            Padding.outputSize(layer, padding, n, pool[a], strides[a], 1);
            int[] pad = Padding.amounts(padding, n, pool[a], strides[a], 1);
            int[] low = new int[y.rank()], high = new int[y.rank()];
            low[axis] = pad[0];
            high[axis] = pad[1];
            Tensor p = Ops.pad(y, low, high, new int[y.rank()], max ? Double.NEGATIVE_INFINITY : 0);
            int out = (p.dim(axis) - pool[a]) / strides[a] + 1;
            Tensor acc = null;
            for (int j = 0; j < pool[a]; j++) {
                Tensor v = p.slice(axis, j, j + (out - 1) * strides[a] + 1, strides[a]);
                acc = acc == null ? v : max ? acc.maximum(v) : acc.add(v);
            }
            y = acc;
        }
        return y;
    }

    /** Average pooling: box sums divided by the number of real (non-padding) entries in each box, as Keras does. */
    static Tensor boxMean(String layer, Tensor x, int[] pool, int[] strides, String padding) {
        Tensor sums = boxReduce(layer, x, pool, strides, padding, false);
        if (padding.equals("valid")) {
            double n = 1;
            for (int p : pool) n *= p;
            return sums.div(n);
        }
        int[] ones = x.shape().toArray();
        ones[0] = 1;
        ones[ones.length - 1] = 1;
        Tensor counts = boxReduce(layer, Ops.expand(Ops.scalarLike(x, 1), dev.javelin.tensor.Shape.of(ones)).contiguous(), pool, strides,
                padding, false);
        return sums.div(counts);
    }
}
