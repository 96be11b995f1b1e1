package dev.javelin.highlevel.initializers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's VarianceScaling, the family behind Glorot and He: variance {@code scale / n} where n is
 * fan-in, fan-out or their mean, drawn uniform, from a normal truncated at two standard deviations
 * (rescaled to keep the variance) or from an untruncated normal. Saved with its scale, mode and
 * distribution, as Keras's {@code get_config}, so a model built with it loads again.
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
     * @param mode         {@code fan_in}, {@code fan_out} or {@code fan_avg} (any case, as Keras)
     * @param distribution {@code uniform}, {@code truncated_normal} ({@code normal} means it, as in Keras)
     *                     or {@code untruncated_normal}
     * @param seed         null draws one from the global sequence
     */
    public VarianceScaling(double scale, String mode, String distribution, Long seed) {
        if (!(scale > 0)) throw new IllegalArgumentException("VarianceScaling: scale must be > 0, got " + scale);
        String m = mode.toLowerCase(Locale.ROOT);
        if (!m.equals("fan_in") && !m.equals("fan_out") && !m.equals("fan_avg")) {
            throw new IllegalArgumentException("VarianceScaling: mode must be fan_in, fan_out or fan_avg, got " + mode);
        }
        String d = distribution.toLowerCase(Locale.ROOT);
        if (d.equals("normal")) d = "truncated_normal";
        if (!d.equals("uniform") && !d.equals("truncated_normal") && !d.equals("untruncated_normal")) {
            throw new IllegalArgumentException("VarianceScaling: distribution must be uniform, truncated_normal or "
                    + "untruncated_normal, got " + distribution);
        }
        this.scale = scale;
        this.mode = m;
        this.distribution = d;
        this.seed = seed;
    }

    /** Rebuilds one from Keras's config keys (defaults as Keras's: 1.0, fan_in, truncated_normal). */
    static VarianceScaling fromConfig(Map<String, Object> config) {
        return new VarianceScaling(Config.number(config, "scale", 1.0), Config.string(config, "mode", "fan_in"),
                Config.string(config, "distribution", "truncated_normal"), Config.optionalLong(config, "seed"));
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
        if (distribution.equals("untruncated_normal")) {
            double std = Math.sqrt(variance);
            return HostRandom.random(shape, dtype, s, r -> std * HostRandom.gaussian(r));
        }
        double std = Math.sqrt(variance) / HostRandom.TRUNCATED_STD;
        return HostRandom.random(shape, dtype, s, r -> std * HostRandom.truncatedNormal(r));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        if (getClass() == VarianceScaling.class) { // Glorot, He and LeCun save only their seed, as in Keras
            c.put("scale", scale);
            c.put("mode", mode);
            c.put("distribution", distribution);
        }
        if (seed != null) c.put("seed", seed);
        return c;
    }

    Long seed() {
        return seed;
    }
}
