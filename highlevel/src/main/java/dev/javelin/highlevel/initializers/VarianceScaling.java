package dev.javelin.highlevel.initializers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's VarianceScaling, the family behind Glorot and He: variance {@code scale / n} where n is
 * fan-in, fan-out or their mean, drawn uniform or from a truncated normal.
 *
 * <pre>{@code
 * Initializer he = new VarianceScaling(2.0, "fan_in", "truncated_normal", 1L);
 * }</pre>
 */
public class VarianceScaling implements Initializer {
    private final double scale;
    private final String mode;
    private final String distribution;
    private final Long seed;

    /**
     * @param mode         {@code fan_in}, {@code fan_out} or {@code fan_avg}
     * @param distribution {@code uniform} or {@code truncated_normal}
     * @param seed         null draws one from the global sequence
     */
    public VarianceScaling(double scale, String mode, String distribution, Long seed) {
        if (!(scale > 0)) throw new IllegalArgumentException("VarianceScaling: scale must be > 0, got " + scale);
        if (!mode.equals("fan_in") && !mode.equals("fan_out") && !mode.equals("fan_avg")) {
            throw new IllegalArgumentException("VarianceScaling: mode must be fan_in, fan_out or fan_avg, got " + mode);
        }
        if (!distribution.equals("uniform") && !distribution.equals("truncated_normal")) {
            throw new IllegalArgumentException("VarianceScaling: distribution must be uniform or truncated_normal, got " + distribution);
        }
        this.scale = scale;
        this.mode = mode;
        this.distribution = distribution;
        this.seed = seed;
    }

    @Override
    public Tensor apply(Shape shape, DType dtype) {
        Fans f = Fans.of(shape);
        double n = switch (mode) {
            case "fan_in" -> f.in();
            case "fan_out" -> f.out();
            default -> (f.in() + f.out()) / 2;
        };
        double variance = scale / Math.max(1, n);
        long s = HostRandom.seedOrNext(seed);
        if (distribution.equals("uniform")) {
            double limit = Math.sqrt(3 * variance);
            return HostRandom.random(shape, dtype, s, r -> r.nextDouble(-limit, limit));
        }
        double std = Math.sqrt(variance) / HostRandom.TRUNCATED_STD;
        return HostRandom.random(shape, dtype, s, r -> std * HostRandom.truncatedNormal(r));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        if (seed != null) c.put("seed", seed);
        return c;
    }

    Long seed() {
        return seed;
    }
}
