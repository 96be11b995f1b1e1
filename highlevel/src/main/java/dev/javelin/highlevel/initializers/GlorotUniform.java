package dev.javelin.highlevel.initializers;

/**
 * Keras's GlorotUniform: variance scaling with scale 1.0 over fan_avg, uniform; the default kernel initializer of Dense and Conv2D.
 *
 * <pre>{@code
 * Tensor w = new GlorotUniform(42L).apply(Shape.of(3, 3, 1, 32), DType.FLOAT32);
 * }</pre>
 */
public final class GlorotUniform extends VarianceScaling {
    /** A seed from {@link dev.javelin.highlevel.Seeds}'s global sequence. */
    public GlorotUniform() {
        this(null);
    }

    /** @param seed null draws one from the global sequence */
    public GlorotUniform(Long seed) {
        super(1.0, "fan_avg", "uniform", seed);
    }
}
