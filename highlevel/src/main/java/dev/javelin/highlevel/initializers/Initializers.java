package dev.javelin.highlevel.initializers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.saving.Shortened;
import java.util.Locale;
import java.util.Map;

/**
 * Initializers by Keras name or config: {@code Initializers.get("he_normal")}, and back from the
 * {@code {"class_name": ..., "config": ...}} form a saved model holds.
 */
public final class Initializers {
    private Initializers() {}

    /** By Keras's snake-case or class name, e.g. {@code glorot_uniform}, {@code GlorotUniform}, {@code zeros}. */
    public static Initializer get(String name) {
        return fromConfig(name, Map.of());
    }

    /**
     * Rebuilds an initializer from its class name and {@link Initializer#getConfig()}; values are read
     * with {@link Config}'s strict getters, so on a {@code ConfigMap} an unknown key can be refused.
     */
    public static Initializer fromConfig(String className, Map<String, Object> config) {
        String key = className.replace("_", "").toLowerCase(Locale.ROOT);
        return switch (key) {
            case "glorotuniform" -> new GlorotUniform(Config.optionalLong(config, "seed"));
            case "glorotnormal" -> new GlorotNormal(Config.optionalLong(config, "seed"));
            case "heuniform" -> new HeUniform(Config.optionalLong(config, "seed"));
            case "henormal" -> new HeNormal(Config.optionalLong(config, "seed"));
            case "lecunnormal" -> new LecunNormal(Config.optionalLong(config, "seed"));
            case "variancescaling" -> VarianceScaling.fromConfig(config);
            case "zeros" -> new Zeros();
            case "ones" -> new Ones();
            case "orthogonal" -> new Orthogonal(Config.number(config, "gain", 1.0), Config.optionalLong(config, "seed"));
            case "randomnormal" -> new RandomNormal(Config.number(config, "mean", 0), Config.number(config, "stddev", 0.05),
                    Config.optionalLong(config, "seed"));
            case "randomuniform", "uniform" -> new RandomUniform(Config.number(config, "minval", -0.05),
                    Config.number(config, "maxval", 0.05), Config.optionalLong(config, "seed"));
            default -> throw new IllegalArgumentException("Initializers.get: unknown initializer '" + Shortened.of(className)
                    + "' (expected glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_normal, variance_scaling, zeros, ones, orthogonal, random_normal or random_uniform)");
        };
    }
}
