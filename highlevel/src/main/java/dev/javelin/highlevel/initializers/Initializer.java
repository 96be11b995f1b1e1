package dev.javelin.highlevel.initializers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Makes the initial value of a weight, as Keras's initializers do. Values are computed on the host
 * from a seed, so building a model needs no backend and gives the same weights on every device.
 *
 * <pre>{@code
 * Tensor w = new GlorotUniform(7).apply(Shape.of(784, 10), DType.FLOAT32);
 * }</pre>
 */
public interface Initializer {
    /** A new tensor of {@code shape} and {@code dtype} (a floating type). */
    Tensor apply(Shape shape, DType dtype);

    /** The Keras class name, e.g. {@code GlorotUniform}. */
    default String className() {
        return getClass().getSimpleName();
    }

    /** The constructor arguments, for saving. */
    default Map<String, Object> getConfig() {
        return Map.of();
    }
}
