package dev.javelin.highlevel.initializers;

/**
 * Keras's LecunNormal: variance scaling with scale 1.0 over fan_in, truncated_normal; for SELU networks.
 *
 * <pre>{@code
 * Tensor w = new LecunNormal(42L).apply(Shape.of(3, 3, 1, 32), DType.FLOAT32);
 * }</pre>
 */
public final class LecunNormal extends VarianceScaling {
    /** A seed from {@link dev.javelin.highlevel.Seeds}'s global sequence. */
    public LecunNormal() {
        this(null);
    }

    /** @param seed null draws one from the global sequence */
    public LecunNormal(Long seed) {
        super(1.0, "fan_in", "truncated_normal", seed);
    }
}
