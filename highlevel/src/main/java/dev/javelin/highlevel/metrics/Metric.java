package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;
import java.util.Objects;

/**
 * A running measure of model quality over the batches of an epoch, as in Keras: {@link #updateState}
 * after each batch, {@link #result()} for the value so far, {@link #reset()} between epochs.
 * Metrics run on the host, outside the compiled train step, so their state is plain doubles.
 *
 * <pre>{@code
 * Metric acc = new SparseCategoricalAccuracy();
 * acc.updateState(labels, probabilities);
 * double a = acc.result();
 * class MaxError extends Metric {                     // a user's own
 *     double max;
 *     MaxError() { super("max_error"); }
 *     public void updateState(Tensor t, Tensor p) { for (double e : p.sub(t).abs().toDoubleArray()) max = Math.max(max, e); }
 *     public double result() { return max; }
 *     public void reset() { max = 0; }
 * }
 * }</pre>
 */
public abstract class Metric {
    private final String name;

    /** A metric shown as {@code name} in logs and History. */
    protected Metric(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Adds one batch of targets and predictions. */
    public abstract void updateState(Tensor yTrue, Tensor yPred);

    /** The metric over everything seen since the last {@link #reset()} (0 when nothing was seen). */
    public abstract double result();

    /** Forgets everything seen. */
    public abstract void reset();

    /** The name shown in logs and History, e.g. {@code accuracy}. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + "=" + result();
    }
}
