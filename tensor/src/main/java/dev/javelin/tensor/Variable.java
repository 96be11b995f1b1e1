package dev.javelin.tensor;

import dev.javelin.tensor.spi.Dispatch;
import java.util.Objects;

/**
 * A named, mutable holder of a tensor value: model weights and optimizer state. Tensors themselves
 * are values; a variable is the one place where "update in place" is what the user expects. Reads
 * and writes go through the active engine, so a traced (jitted) train step lifts variables into
 * program inputs and outputs, and a gradient tape watches trainable variables it sees read.
 *
 * <pre>{@code
 * Variable w = new Variable("w", Tensors.zeros(Shape.of(3)), true);
 * w.assign(w.value().add(1.0));
 * }</pre>
 */
public final class Variable {
    private final String name;
    private final boolean trainable;
    private volatile Tensor value;

    /** A variable holding {@code initial}; {@code trainable} ones are watched by gradient tapes. */
    public Variable(String name, Tensor initial, boolean trainable) {
        this.name = Objects.requireNonNull(name, "name");
        this.value = Objects.requireNonNull(initial, "initial");
        this.trainable = trainable;
    }

    /** The name given at construction, used in messages and when saving. */
    public String name() { return name; }

    /** Whether optimizers update it and tapes watch it. */
    public boolean trainable() { return trainable; }

    /** The (fixed) shape of its value. */
    public Shape shape() { return value.shape(); }

    /** The (fixed) dtype of its value. */
    public DType dtype() { return value.dtype(); }

    /** The current value, as the active engine sees it. */
    public Tensor value() {
        return Dispatch.read(this);
    }

    /**
     * Replaces the value; shape and dtype must stay the same.
     *
     * @throws IllegalArgumentException naming the variable and both shapes or dtypes
     */
    public void assign(Tensor newValue) {
        if (!newValue.shape().equals(value.shape()) || newValue.dtype() != value.dtype()) {
            throw new IllegalArgumentException("Variable.assign: '" + name + "' holds " + value.dtype() + value.shape()
                    + ", got " + newValue.dtype() + newValue.shape());
        }
        Dispatch.engine().assign(this, newValue);
    }

    /** The stored value with no engine involved: for engines and serialization, not model code. */
    public Tensor stored() {
        return value;
    }

    /** Sets the stored value with no engine involved: for engines and weight loading. */
    public void store(Tensor newValue) {
        value = Objects.requireNonNull(newValue);
    }

    @Override
    public String toString() {
        return "Variable(" + name + ", " + value.dtype() + value.shape() + (trainable ? "" : ", non-trainable") + ")";
    }
}
