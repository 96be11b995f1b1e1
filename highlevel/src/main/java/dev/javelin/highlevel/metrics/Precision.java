package dev.javelin.highlevel.metrics;

/**
 * Precision of binary predictions: {@code TP / (TP + FP)}, a prediction counting as positive when
 * above the threshold (default 0.5) and a target when non-zero; 0 before any positive prediction.
 *
 * <pre>{@code
 * Metric p = new Precision();
 * p.updateState(Tensors.of(new float[] {1, 0, 1}), Tensors.of(new float[] {0.8f, 0.6f, 0.2f}));   // 0.5
 * }</pre>
 */
public final class Precision extends ConfusionCounts {
    /** Threshold 0.5, named {@code precision}. */
    public Precision() {
        this("precision", 0.5);
    }

    /** A prediction above {@code threshold} counts as positive. */
    public Precision(String name, double threshold) {
        super(name, threshold);
    }

    @Override
    public double result() {
        return ratio(truePositives(), truePositives() + falsePositives());
    }
}
