package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;

/**
 * The fraction of predictions exactly equal to their targets, element by element (Keras's
 * {@code Accuracy}; for class scores use {@link SparseCategoricalAccuracy} or {@link CategoricalAccuracy}).
 *
 * <pre>{@code
 * Metric m = new Accuracy();
 * m.updateState(Tensors.of(new int[] {1, 2, 3}), Tensors.of(new int[] {1, 2, 0}));   // 2/3
 * }</pre>
 */
public final class Accuracy extends MeanMetric {
    /** Exact-match accuracy named {@code accuracy}. */
    public Accuracy() {
        this("accuracy");
    }

    /** Exact-match accuracy under another name. */
    public Accuracy(String name) {
        super(name);
    }

    @Override
    protected Tensor values(Tensor yTrue, Tensor yPred) {
        HostArrays.sameSize(name(), yTrue, yPred, yTrue.size(), yPred.size());
        return yTrue.cast(DType.FLOAT32).reshape(yPred.shape().toArray()).eq(yPred.cast(DType.FLOAT32));
    }
}
