package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The fraction of binary predictions on the right side of a threshold: a prediction counts as 1 when
 * it is above {@code threshold} (default 0.5), and is right when that equals its 0/1 target.
 *
 * <pre>{@code
 * Metric m = new BinaryAccuracy();
 * m.updateState(Tensors.of(new float[] {1, 0}), Tensors.of(new float[] {0.9f, 0.7f}));   // 0.5
 * }</pre>
 */
public final class BinaryAccuracy extends MeanMetric {
    private final double threshold;

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("threshold", threshold);
        return c;
    }

    /** Threshold 0.5, named {@code binary_accuracy}. */
    public BinaryAccuracy() {
        this("binary_accuracy", 0.5);
    }

    /** A prediction above {@code threshold} counts as 1. */
    public BinaryAccuracy(String name, double threshold) {
        super(name);
        this.threshold = threshold;
    }

    @Override
    protected Tensor values(Tensor yTrue, Tensor yPred) {
        HostArrays.sameSize(name(), yTrue, yPred, yTrue.size(), yPred.size());
        Tensor predicted = yPred.gt(threshold).cast(DType.FLOAT32);
        return predicted.eq(yTrue.cast(DType.FLOAT32).reshape(yPred.shape().toArray()));
    }
}
