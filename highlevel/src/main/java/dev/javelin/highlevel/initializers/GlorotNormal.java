package dev.javelin.highlevel.initializers;

/**
 * Keras's GlorotNormal: variance scaling with scale 1.0 over fan_avg, truncated_normal; Glorot with a truncated normal.
 *
 * <pre>{@code
 * Tensor w = new GlorotNormal(42L).apply(Shape.of(3, 3, 1, 32), DType.FLOAT32);
 * }</pre>
 */
public final class GlorotNormal extends VarianceScaling {
    /** A seed from {@link dev.javelin.highlevel.Seeds}'s global sequence. */
    public GlorotNormal() {
        this(null);
    }

    /** @param seed null draws one from the global sequence */
    public GlorotNormal(Long seed) {
        super(1.0, "fan_avg", "truncated_normal", seed);
    }
}
