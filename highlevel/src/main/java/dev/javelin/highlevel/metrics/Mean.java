package dev.javelin.highlevel.metrics;

import dev.javelin.highlevel.losses.WeightBroadcast;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;

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
    private final Variable total = addState("total");
    private final Variable weight = addState("weight");

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
        accumulate(total, Tensors.scalar(value * w));
        accumulate(weight, Tensors.scalar(w));
    }

    /** Adds every element of {@code values}, each with weight 1 (a tensor op: works in a compiled step). */
    public void update(Tensor values) {
        accumulate(total, values.cast(DType.FLOAT32).sum());
        accumulate(weight, Tensors.scalar(values.size()));
    }

    /** Adds a scalar value tensor with a weight (a tensor op: works in a compiled step). */
    public void update(Tensor value, double w) {
        if (!(w >= 0)) throw new IllegalArgumentException(name() + ".update: weight must be >= 0, got " + w);
        accumulate(total, value.cast(DType.FLOAT32).mul(w));
        accumulate(weight, Tensors.scalar(w));
    }

    /** Keras's metric signature: averages the elements of {@code yPred} (the values); {@code yTrue} is ignored. */
    @Override
    public void updateState(Tensor yTrue, Tensor yPred) {
        update(yPred);
    }

    @Override
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        if (sampleWeight == null) {
            update(yPred);
            return;
        }
        Tensor v = yPred.cast(DType.FLOAT32);
        Tensor w = WeightBroadcast.toShape(name(), sampleWeight, v, DType.FLOAT32);
        accumulate(total, v.mul(w).sum());
        accumulate(weight, w.sum());
    }

    @Override
    public double result() {
        double w = read(weight);
        return w == 0 ? 0 : read(total) / w;
    }
}
