package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;

/**
 * The weighted running mean of values: what the training loop shows as {@code loss}, each batch's
 * mean loss weighted by the batch size (as Keras 3 weights it).
 *
 * <pre>{@code
 * Mean loss = new Mean("loss");
 * loss.update(0.7, 128);
 * loss.update(0.5, 32);
 * loss.result();   // (0.7 * 128 + 0.5 * 32) / 160
 * }</pre>
 */
public class Mean extends Metric {
    private double total;
    private double weight;

    /** An empty running mean shown as {@code name}. */
    public Mean(String name) {
        super(name);
    }

    /** Adds one value with weight 1. */
    public void update(double value) {
        update(value, 1.0);
    }

    /** Adds one value with a weight (e.g. the batch size). */
    public void update(double value, double w) {
        if (!(w >= 0)) throw new IllegalArgumentException(name() + ".update: weight must be >= 0, got " + w);
        total += value * w;
        weight += w;
    }

    /** Adds every element of {@code values}, each with weight 1. */
    public void update(Tensor values) {
        for (double v : values.toDoubleArray()) update(v);
    }

    /** Keras's metric signature: averages the elements of {@code yPred} (the values); {@code yTrue} is ignored. */
    @Override
    public void updateState(Tensor yTrue, Tensor yPred) {
        update(yPred);
    }

    @Override
    public double result() {
        return weight == 0 ? 0 : total / weight;
    }

    @Override
    public void reset() {
        total = 0;
        weight = 0;
    }
}
