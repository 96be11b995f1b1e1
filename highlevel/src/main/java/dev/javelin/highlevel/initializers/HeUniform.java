package dev.javelin.highlevel.initializers;

/**
 * Keras's HeUniform: variance scaling with scale 2.0 over fan_in, uniform; suited to ReLU layers.
 *
 * <pre>{@code
 * Tensor w = new HeUniform(42L).apply(Shape.of(3, 3, 1, 32), DType.FLOAT32);
 * }</pre>
 */
public final class HeUniform extends VarianceScaling {
    /** A seed from {@link dev.javelin.highlevel.Seeds}'s global sequence. */
    public HeUniform() {
        this(null);
    }

    /** @param seed null draws one from the global sequence */
    public HeUniform(Long seed) {
        super(2.0, "fan_in", "uniform", seed);
    }
}
