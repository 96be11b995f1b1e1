package dev.javelin.highlevel.optimizers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Optimizers by name, as Keras's {@code compile(optimizer="adam")} finds them, and from saved configs.
 *
 * <pre>{@code
 * Optimizer opt = Optimizers.get("adam");   // Adam with Keras's defaults
 * }</pre>
 */
public final class Optimizers {
    private Optimizers() {}

    /**
     * A new optimizer with Keras's defaults: {@code sgd}, {@code adam}, {@code adamw},
     * {@code rmsprop} or {@code adagrad} (any case).
     */
    public static Optimizer get(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd" -> new SGD();
            case "adam" -> new Adam();
            case "adamw" -> new AdamW();
            case "rmsprop" -> new RMSprop();
            case "adagrad" -> new Adagrad();
            default -> throw new IllegalArgumentException("Optimizers.get: unknown optimizer '" + name
                    + "' (expected sgd, adam, adamw, rmsprop or adagrad)");
        };
    }

    /** Rebuilds an optimizer from {@link Optimizer#getConfig()}'s output. */
    static Optimizer fromConfig(Map<String, Object> c) {
        Object cls = c.get("class_name");
        return switch (String.valueOf(cls)) {
            case "SGD" -> SGD.builder().config(c).build();
            case "Adam" -> Adam.builder().adamConfig(c).build();
            case "AdamW" -> AdamW.builder().config(c).build();
            case "RMSprop" -> RMSprop.builder().config(c).build();
            case "Adagrad" -> Adagrad.builder().config(c).build();
            default -> throw new IllegalArgumentException("Optimizer.fromConfig: unknown class_name '" + cls
                    + "' (expected SGD, Adam, AdamW, RMSprop or Adagrad)");
        };
    }

    static double num(Map<String, Object> c, String key) {
        if (c.get(key) instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("config key '" + key + "' must be a number, got " + c.get(key) + " in " + c);
    }

    static double[] nums(Map<String, Object> c, String key) {
        if (c.get(key) instanceof List<?> l) {
            double[] out = new double[l.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(l.get(i) instanceof Number n)) {
                    throw new IllegalArgumentException("config key '" + key + "' must be a list of numbers, got " + l);
                }
                out[i] = n.doubleValue();
            }
            return out;
        }
        throw new IllegalArgumentException("config key '" + key + "' must be a list of numbers, got " + c.get(key));
    }

    static Map<String, Object> stringKeys(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), e.getValue());
        return out;
    }
}
