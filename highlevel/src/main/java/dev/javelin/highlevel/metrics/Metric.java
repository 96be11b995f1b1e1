package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A running measure of model quality over the batches of an epoch, as in Keras: {@link #updateState}
 * after each batch, {@link #result()} for the value so far, {@link #reset()} between epochs.
 *
 * <p>The built-in metrics keep their state in variables ({@link #addState}) and update it with
 * tensor ops, so a compiled train step updates them inside its program (Keras 3's stateless
 * metric variables): nothing leaves the program but the loss. A user's metric written the same way
 * runs compiled too; one that reads values on the host ({@code toDoubleArray}) works only with
 * {@code jitCompile(false)}.
 *
 * <pre>{@code
 * Metric acc = new SparseCategoricalAccuracy();
 * acc.updateState(labels, probabilities);
 * double a = acc.result();
 * class MaxError extends Metric {                     // a user's own, compiled with the step
 *     final Variable max = addState("max");
 *     MaxError() { super("max_error"); }
 *     public void updateState(Tensor t, Tensor p) { max.assign(max.value().maximum(p.sub(t).abs().max())); }
 *     public double result() { return read(max); }
 * }
 * }</pre>
 */
public abstract class Metric {
    private final String name;
    private final List<Variable> state = new ArrayList<>();

    /** A metric shown as {@code name} in logs and History. */
    protected Metric(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Adds one batch of targets and predictions. */
    public abstract void updateState(Tensor yTrue, Tensor yPred);

    /**
     * Adds one batch with a weight per example ({@code [batch]}), as Keras's
     * {@code sample_weight}; null weighs every example 1. Metrics that cannot weigh examples refuse
     * weights.
     */
    public void updateState(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
        if (sampleWeight != null) {
            throw new UnsupportedOperationException(name + ": this metric does not take sample weights");
        }
        updateState(yTrue, yPred);
    }

    /** The metric over everything seen since the last {@link #reset()} (0 when nothing was seen). */
    public abstract double result();

    /** Forgets everything seen: sets every state variable back to 0 (on the device it lives on). */
    public void reset() {
        for (Variable v : state) v.store(Tensors.zeros(v.shape(), v.dtype()).to(v.stored().device()));
    }

    /** The name shown in logs and History, e.g. {@code accuracy}. */
    public String name() {
        return name;
    }

    /**
     * The arguments that rebuild this metric with {@link Metrics#fromConfig} (Keras's {@code get_config}): its
     * name, and a built-in metric's options (a threshold, k), so a saved compiled model loads with the metrics it
     * had. A metric class {@link Metrics#fromConfig} does not know is saved by its name alone.
     */
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        return c;
    }

    /** The class name a saved config gives, as Keras's: the Java class's simple name, e.g. {@code Precision}. */
    public String className() {
        return getClass().getSimpleName();
    }

    /** The variables holding this metric's state. */
    public List<Variable> variables() {
        return List.copyOf(state);
    }

    /** A float32 scalar state variable, 0 until updated; a compiled step updates it in its program. */
    protected final Variable addState(String stateName) {
        Variable v = new Variable(name + "/" + stateName, Tensors.zeros(Shape.scalar(), DType.FLOAT32), false);
        state.add(v);
        return v;
    }

    /** Adds the scalar {@code amount} to {@code v} (eagerly, or as part of a traced step). */
    protected static void accumulate(Variable v, Tensor amount) {
        Tensor a = amount.dtype() == v.dtype() ? amount : amount.cast(v.dtype());
        Tensor state = v.value();
        if (!a.device().equals(state.device()) && !a.isSymbolic()) a = a.to(state.device()); // a count made on the host
        v.assign(state.add(a));
    }

    /** The current value of a scalar state variable, on the host. */
    protected static double read(Variable v) {
        return v.stored().item();
    }

    @Override
    public String toString() {
        return name + "=" + result();
    }
}
