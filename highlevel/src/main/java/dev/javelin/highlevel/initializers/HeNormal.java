package dev.javelin.highlevel.initializers;

/**
 * Keras's HeNormal: variance scaling with scale 2.0 over fan_in, truncated_normal; suited to ReLU layers, truncated normal.
 *
 * <pre>{@code
 * Tensor w = new HeNormal(42L).apply(Shape.of(3, 3, 1, 32), DType.FLOAT32);
 * }</pre>
 */
public final class HeNormal extends VarianceScaling {
    /** A seed from {@link dev.javelin.highlevel.Seeds}'s global sequence. */
    public HeNormal() {
        this(null);
    }

    /** @param seed null draws one from the global sequence */
    public HeNormal(Long seed) {
        super(2.0, "fan_in", "truncated_normal", seed);
    }
}
