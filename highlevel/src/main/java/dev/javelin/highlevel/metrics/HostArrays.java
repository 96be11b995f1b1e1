package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;

/** Shape checks shared by the metrics. */
final class HostArrays {
    private HostArrays() {}

    /** The number of classes: the last dimension of a rank >= 1 tensor. */
    static int lastDim(Tensor t) {
        return t.rank() == 0 ? 1 : t.dim(-1);
    }

    /** Throws when two batches do not hold the same number of elements. */
    static void sameSize(String metric, Tensor yTrue, Tensor yPred, long a, long b) {
        if (a != b) {
            throw new IllegalArgumentException(metric + ": targets " + yTrue.dtype() + yTrue.shape() + " and predictions "
                    + yPred.dtype() + yPred.shape() + " do not match (" + a + " vs " + b + " values)");
        }
    }
}
