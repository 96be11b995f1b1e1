package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;

/** Per-example weights spread over a batch of per-element values. */
final class SampleWeights {
    private SampleWeights() {}

    /** {@code weights} ({@code [batch]} or {@code [batch, 1]}) broadcast to the shape of {@code values}, as float32. */
    static Tensor broadcast(String metric, Tensor weights, Tensor values) {
        int batch = values.rank() == 0 ? 1 : values.dim(0);
        if (weights.size() != batch) {
            throw new IllegalArgumentException(metric + ": sample weights " + weights.shape() + " need one weight per example of "
                    + values.shape() + " (expected [" + batch + "])");
        }
        if (values.rank() == 0) return weights.reshape().cast(DType.FLOAT32);
        int[] dims = new int[values.rank()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = batch;
        return weights.cast(DType.FLOAT32).reshape(dims).broadcastTo(values.shape());
    }
}
