package dev.javelin.highlevel.initializers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Normal values with a mean and standard deviation (Keras: mean 0, stddev 0.05).
 *
 * <pre>{@code
 * Tensor e = new RandomNormal(0, 0.05, 3L).apply(Shape.of(100, 16), DType.FLOAT32);
 * }</pre>
 */
public final class RandomNormal implements Initializer {
    private final double mean;
    private final double stddev;
    private final Long seed;

    /** Mean 0, standard deviation 0.05, a seed from {@link dev.javelin.highlevel.Seeds}. */
    public RandomNormal() {
        this(0, 0.05, null);
    }

    /** @param seed null draws one from the global sequence */
    public RandomNormal(double mean, double stddev, Long seed) {
        if (!(stddev >= 0)) throw new IllegalArgumentException("RandomNormal: stddev must be >= 0, got " + stddev);
        this.mean = mean;
        this.stddev = stddev;
        this.seed = seed;
    }

    @Override
    public Tensor apply(Shape shape, DType dtype) {
        return HostRandom.random(shape, dtype, HostRandom.seedOrNext(seed), r -> mean + stddev * HostRandom.gaussian(r));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("mean", mean);
        c.put("stddev", stddev);
        if (seed != null) c.put("seed", seed);
        return c;
    }
}
