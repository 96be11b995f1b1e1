package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;

/** Host-side helpers shared by the metrics: they read batches as double arrays, row by row. */
final class HostArrays {
    private HostArrays() {}

    /** The number of classes: the last dimension of a rank >= 1 tensor. */
    static int lastDim(Tensor t) {
        return t.rank() == 0 ? 1 : t.dim(-1);
    }

    /** Index of the first maximum of each row of length {@code width}. */
    static int[] argmaxRows(double[] v, int width) {
        if (width == 0) return new int[0];
        int rows = v.length / width;
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            double bv = v[r * width];
            for (int c = 1; c < width; c++) {
                double x = v[r * width + c];
                if (x > bv) {
                    bv = x;
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }

    /** Throws when two batches do not hold the same number of elements. */
    static void sameSize(String metric, Tensor yTrue, Tensor yPred, long a, long b) {
        if (a != b) {
            throw new IllegalArgumentException(metric + ": targets " + yTrue.dtype() + yTrue.shape() + " and predictions "
                    + yPred.dtype() + yPred.shape() + " do not match (" + a + " vs " + b + " values)");
        }
    }
}
