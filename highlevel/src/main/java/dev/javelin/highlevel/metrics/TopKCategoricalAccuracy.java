package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Map;

/**
 * The fraction of examples whose target class is among the {@code k} highest scores (default 5).
 * Targets are one-hot rows, or integer labels with {@link #sparse}. A target tied with the k-th score
 * counts as found (fewer than k classes score strictly higher), as TensorFlow's {@code in_top_k} does.
 *
 * <pre>{@code
 * Metric top5 = new TopKCategoricalAccuracy();
 * Metric sparseTop3 = TopKCategoricalAccuracy.sparse(3);
 * }</pre>
 */
public final class TopKCategoricalAccuracy extends MeanMetric {
    private final int k;
    private final boolean sparseLabels;

    /** Top 5, as Keras defaults. */
    public TopKCategoricalAccuracy() {
        this(5);
    }

    /** Top {@code k} with one-hot targets. */
    public TopKCategoricalAccuracy(int k) {
        this("top_k_categorical_accuracy", k, false);
    }

    private TopKCategoricalAccuracy(String name, int k, boolean sparseLabels) {
        super(name);
        if (k < 1) throw new IllegalArgumentException(name + ": k must be >= 1, got " + k);
        this.k = k;
        this.sparseLabels = sparseLabels;
    }

    /** Keras's {@code SparseTopKCategoricalAccuracy}: integer labels {@code [batch]}. */
    public static TopKCategoricalAccuracy sparse(int k) {
        return sparse("sparse_top_k_categorical_accuracy", k);
    }

    /** {@link #sparse(int)} shown as {@code name}. */
    public static TopKCategoricalAccuracy sparse(String name, int k) {
        return new TopKCategoricalAccuracy(name, k, true);
    }

    /** Top {@code k} with one-hot targets, shown as {@code name}. */
    public static TopKCategoricalAccuracy named(String name, int k) {
        return new TopKCategoricalAccuracy(name, k, false);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("k", k);
        return c;
    }

    /** Keras's two classes: {@code SparseTopKCategoricalAccuracy} for integer labels. */
    @Override
    public String className() {
        return sparseLabels ? "SparseTopKCategoricalAccuracy" : "TopKCategoricalAccuracy";
    }

    @Override
    protected Tensor values(Tensor yTrue, Tensor yPred) {
        int c = HostArrays.lastDim(yPred);
        long rows = c == 0 ? 0 : yPred.size() / c;
        Tensor target;
        if (sparseLabels) {
            HostArrays.sameSize(name(), yTrue, yPred, yTrue.size(), rows);
            target = yTrue.cast(DType.FLOAT32).reshape((int) rows, 1);
        } else {
            if (!yTrue.shape().equals(yPred.shape())) {
                throw new IllegalArgumentException(name() + ": targets " + yTrue.shape() + " and predictions "
                        + yPred.shape() + " must have one shape [batch, classes]");
            }
            target = yTrue.argmax(-1).cast(DType.FLOAT32).reshape((int) rows, 1);
        }
        // The target's score picked by a one-hot mask (where, not a product, so -inf scores stay exact);
        // a label outside [0, classes) picks nothing and counts as not found.
        Tensor scores = yPred.cast(DType.FLOAT32).reshape((int) rows, c);
        Tensor isTarget = target.eq(Tensors.arange(c).cast(DType.FLOAT32).reshape(1, c));
        Tensor found = isTarget.cast(DType.FLOAT32).sum(-1);
        Tensor targetScore = isTarget.where(scores, Tensors.scalar(0)).sum(new int[] {-1}, true);
        Tensor higher = scores.gt(targetScore).cast(DType.FLOAT32).sum(-1);
        return higher.lt(k).cast(DType.FLOAT32).mul(found);
    }
}
