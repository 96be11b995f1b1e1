package dev.javelin.highlevel.initializers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Uniform values in {@code [minval, maxval)} (Keras: -0.05 to 0.05, the default for embeddings).
 *
 * <pre>{@code
 * Tensor e = new RandomUniform(-0.05, 0.05, 3L).apply(Shape.of(1000, 64), DType.FLOAT32);
 * }</pre>
 */
public final class RandomUniform implements Initializer {
    private final double minval;
    private final double maxval;
    private final Long seed;

    public RandomUniform() {
        this(-0.05, 0.05, null);
    }

    /** @param seed null draws one from the global sequence */
    public RandomUniform(double minval, double maxval, Long seed) {
        if (!(maxval > minval)) throw new IllegalArgumentException("RandomUniform: expected minval < maxval, got " + minval + ", " + maxval);
        this.minval = minval;
        this.maxval = maxval;
        this.seed = seed;
    }

    @Override
    public Tensor apply(Shape shape, DType dtype) {
        return HostRandom.random(shape, dtype, HostRandom.seedOrNext(seed), r -> r.nextDouble(minval, maxval));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("minval", minval);
        c.put("maxval", maxval);
        if (seed != null) c.put("seed", seed);
        return c;
    }
}
