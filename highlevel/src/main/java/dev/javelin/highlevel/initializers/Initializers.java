package dev.javelin.highlevel.initializers;

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

    /** Rebuilds an initializer from its class name and {@link Initializer#getConfig()}. */
    public static Initializer fromConfig(String className, Map<String, Object> config) {
        Long seed = config.get("seed") instanceof Number n ? n.longValue() : null;
        String key = className.replace("_", "").toLowerCase(Locale.ROOT);
        return switch (key) {
            case "glorotuniform" -> new GlorotUniform(seed);
            case "glorotnormal" -> new GlorotNormal(seed);
            case "heuniform" -> new HeUniform(seed);
            case "henormal" -> new HeNormal(seed);
            case "lecunnormal" -> new LecunNormal(seed);
            case "zeros" -> new Zeros();
            case "ones" -> new Ones();
            case "orthogonal" -> new Orthogonal(num(config, "gain", 1.0), seed);
            case "randomnormal" -> new RandomNormal(num(config, "mean", 0), num(config, "stddev", 0.05), seed);
            case "randomuniform", "uniform" -> new RandomUniform(num(config, "minval", -0.05), num(config, "maxval", 0.05), seed);
            default -> throw new IllegalArgumentException("Initializers.get: unknown initializer '" + className
                    + "' (expected glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_normal, zeros, ones, orthogonal, random_normal or random_uniform)");
        };
    }

    private static double num(Map<String, Object> c, String key, double dflt) {
        return c.get(key) instanceof Number n ? n.doubleValue() : dflt;
    }
}
