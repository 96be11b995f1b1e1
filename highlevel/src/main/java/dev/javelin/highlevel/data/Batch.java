package dev.javelin.highlevel.data;

import dev.javelin.tensor.Tensor;
import java.util.Objects;

/**
 * One batch from a {@link Dataset}: inputs and targets with the same leading (batch) dimension.
 *
 * <pre>{@code
 * for (Batch b : dataset) model.trainOnBatch(b.x(), b.y());
 * }</pre>
 *
 * @param x the inputs, batch first
 * @param y the targets, batch first; null for a dataset of inputs only (prediction)
 */
public record Batch(Tensor x, Tensor y) {
    /** Checks that x and y agree in their first dimension. */
    public Batch {
        Objects.requireNonNull(x, "x");
        if (y != null && y.rank() > 0 && x.rank() > 0 && y.dim(0) != x.dim(0)) {
            throw new IllegalArgumentException("Batch: x " + x.shape() + " and y " + y.shape()
                    + " differ in their first (batch) dimension");
        }
    }

    /** The number of examples in this batch. */
    public int size() {
        return x.rank() == 0 ? 1 : x.dim(0);
    }
}
