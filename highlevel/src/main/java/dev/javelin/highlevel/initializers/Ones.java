package dev.javelin.highlevel.initializers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;

/** All ones: the default for normalization scales. {@code new Ones().apply(Shape.of(10), DType.FLOAT32)}. */
public final class Ones implements Initializer {
    @Override
    public Tensor apply(Shape shape, DType dtype) {
        return HostRandom.fill(shape, dtype, () -> 1.0);
    }
}
