package dev.javelin.highlevel.data;

import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One batch: the model's inputs, its targets and optional per-example weights, all with the same
 * leading (batch) dimension. What {@link Dataset} yields and what a model's {@code trainStep},
 * {@code testStep} and {@code predictStep} receive.
 *
 * <pre>{@code
 * for (Batch b : dataset) model.trainOnBatch(b.x(), b.y());
 * Batch two = new Batch(List.of(image, text), List.of(label), weights);   // several inputs
 * }</pre>
 *
 * @param inputs       the inputs, batch first (at least one)
 * @param targets      the targets, batch first; empty for inputs only (prediction)
 * @param sampleWeight a weight per example ({@code [batch]}), or null
 */
public record Batch(List<Tensor> inputs, List<Tensor> targets, Tensor sampleWeight) {
    /** Checks that every tensor agrees in its first dimension. */
    public Batch {
        inputs = List.copyOf(inputs);
        targets = List.copyOf(targets);
        if (inputs.isEmpty()) throw new IllegalArgumentException("Batch: no inputs");
        int n = rows(inputs.get(0));
        List<Tensor> all = new ArrayList<>(inputs);
        all.addAll(targets);
        if (sampleWeight != null) all.add(sampleWeight);
        for (Tensor t : all) {
            if (t.rank() > 0 && inputs.get(0).rank() > 0 && t.dim(0) != n) {
                throw new IllegalArgumentException("Batch: x " + inputs.get(0).shape() + " and " + t.shape()
                        + " differ in their first (batch) dimension");
            }
        }
    }

    /** One input and one target ({@code y} null for inputs only). */
    public Batch(Tensor x, Tensor y) {
        this(List.of(Objects.requireNonNull(x, "x")), y == null ? List.of() : List.of(y), null);
    }

    /** The single input. */
    public Tensor x() {
        if (inputs.size() != 1) throw new IllegalStateException("Batch: " + inputs.size() + " inputs; use inputs()");
        return inputs.get(0);
    }

    /** The single target, or null when the batch has none. */
    public Tensor y() {
        if (targets.size() > 1) throw new IllegalStateException("Batch: " + targets.size() + " targets; use targets()");
        return targets.isEmpty() ? null : targets.get(0);
    }

    /** The same batch with per-example weights. */
    public Batch withSampleWeight(Tensor weights) {
        return new Batch(inputs, targets, weights);
    }

    /** The number of examples in this batch. */
    public int size() {
        return rows(inputs.get(0));
    }

    private static int rows(Tensor t) {
        return t.rank() == 0 ? 1 : t.dim(0);
    }
}
