package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;

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
        return new TopKCategoricalAccuracy("sparse_top_k_categorical_accuracy", k, true);
    }

    @Override
    protected double[] values(Tensor yTrue, Tensor yPred) {
        int c = HostArrays.lastDim(yPred);
        double[] scores = yPred.toDoubleArray();
        int rows = c == 0 ? 0 : scores.length / c;
        int[] target;
        if (sparseLabels) {
            double[] l = yTrue.toDoubleArray();
            HostArrays.sameSize(name(), yTrue, yPred, l.length, rows);
            target = new int[rows];
            for (int i = 0; i < rows; i++) target[i] = (int) l[i];
        } else {
            if (!yTrue.shape().equals(yPred.shape())) {
                throw new IllegalArgumentException(name() + ": targets " + yTrue.shape() + " and predictions "
                        + yPred.shape() + " must have one shape [batch, classes]");
            }
            target = HostArrays.argmaxRows(yTrue.toDoubleArray(), c);
        }
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            int t = target[r];
            if (t < 0 || t >= c) {
                throw new IllegalArgumentException(name() + ": label " + t + " is outside [0, " + c + ")");
            }
            double ts = scores[r * c + t];
            int higher = 0;
            for (int j = 0; j < c; j++) if (scores[r * c + j] > ts) higher++;
            out[r] = higher < k ? 1 : 0;
        }
        return out;
    }
}
