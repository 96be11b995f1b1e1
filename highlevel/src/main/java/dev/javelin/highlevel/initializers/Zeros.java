package dev.javelin.highlevel.initializers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;

/** All zeros: the default for biases. {@code new Zeros().apply(Shape.of(10), DType.FLOAT32)}. */
public final class Zeros implements Initializer {
    @Override
    public Tensor apply(Shape shape, DType dtype) {
        return HostRandom.fill(shape, dtype, () -> 0.0);
    }
}
