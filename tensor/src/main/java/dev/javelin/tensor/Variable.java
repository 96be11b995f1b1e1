package dev.javelin.tensor;

import dev.javelin.tensor.spi.BufferLease;
import dev.javelin.tensor.spi.Dispatch;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

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
 *
 * <p>A value that a compiled program wrote may carry a {@link BufferLease}: the program takes its
 * memory back for a later write once the variable has moved on, unless somebody else has seen it.
 * Every way of reading the value from outside an executor ({@link #value()}, {@link #stored()})
 * marks it as seen, so a tensor a caller holds is never overwritten.
 */
public final class Variable {
    private final String name;
    private final boolean trainable;
    private final AtomicReference<Stored> held;

    /**
     * A value as stored, with the lease of its memory (null: the memory is not the executors' to take back).
     *
     * @param value the tensor
     * @param lease who reads its memory, or null
     */
    public record Stored(Tensor value, BufferLease lease) {
        /** Ends the {@link Variable#pin()} that returned this. */
        public void unpin() {
            if (lease != null) lease.unpin();
        }
    }

    /** A variable holding {@code initial}; {@code trainable} ones are watched by gradient tapes. */
    public Variable(String name, Tensor initial, boolean trainable) {
        this.name = Objects.requireNonNull(name, "name");
        this.held = new AtomicReference<>(new Stored(Objects.requireNonNull(initial, "initial"), null));
        this.trainable = trainable;
    }

    /** The name given at construction, used in messages and when saving. */
    public String name() { return name; }

    /** Whether optimizers update it and tapes watch it. */
    public boolean trainable() { return trainable; }

    /** The (fixed) shape of its value. */
    public Shape shape() { return held.get().value().shape(); }

    /** The (fixed) dtype of its value. */
    public DType dtype() { return held.get().value().dtype(); }

    /** The device its value lives on. */
    public Device device() { return held.get().value().device(); }

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
        Tensor value = held.get().value();
        if (!newValue.shape().equals(value.shape()) || newValue.dtype() != value.dtype()) {
            throw new IllegalArgumentException("Variable.assign: '" + name + "' holds " + value.dtype() + value.shape()
                    + ", got " + newValue.dtype() + newValue.shape());
        }
        Dispatch.engine().assign(this, newValue);
    }

    /**
     * The stored value with no engine involved: for engines and serialization, not model code. The
     * caller may keep it: its memory is never reused while the caller can reach it.
     */
    public Tensor stored() {
        for (;;) {
            Stored s = held.get();
            if (s.lease() == null || s.lease().escape()) return s.value();
            // reclaimed after the variable moved on: read the newer value
        }
    }

    /** Sets the stored value with no engine involved: for engines and weight loading. */
    public void store(Tensor newValue) {
        held.set(new Stored(Objects.requireNonNull(newValue), null));
    }

    /**
     * For executors: the stored value, pinned so its memory is not reused until {@link Stored#unpin()}.
     * The executor must not hand the tensor (or a view of its memory) beyond the run without
     * {@linkplain BufferLease#escape() escaping} its lease.
     */
    public Stored pin() {
        for (;;) {
            Stored s = held.get();
            if (s.lease() == null || s.lease().pin()) return s;
        }
    }

    /**
     * For executors: stores {@code newValue}, whose memory the executor may take back through
     * {@code lease} once a later value replaces it; returns the replaced value, whose lease (if
     * any) only the caller may now {@linkplain BufferLease#reclaim() reclaim}.
     */
    public Stored replace(Tensor newValue, BufferLease lease) {
        return held.getAndSet(new Stored(Objects.requireNonNull(newValue), lease));
    }

    /**
     * Gives the device memory of the stored value back now ({@link Tensor#release}): for freeing a
     * model's weights or an optimizer's state on a GPU without waiting for the GC. The variable can
     * no longer be read afterwards (its value's use throws) until a new value is {@linkplain #store stored}.
     */
    public void release() {
        held.get().value().release();
    }

    @Override
    public String toString() {
        Tensor value = held.get().value();
        return "Variable(" + name + ", " + value.dtype() + value.shape() + (trainable ? "" : ", non-trainable") + ")";
    }
}
