package dev.javelin.highlevel.optimizers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.ConfigMap;
import dev.javelin.highlevel.saving.Shortened;
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

    /**
     * Rebuilds an optimizer from {@link Optimizer#getConfig()}'s output, strictly (as layer configs
     * are read): a key the optimizer does not read, a wrong JSON type or a value out of range is an
     * error naming the key.
     */
    static Optimizer fromConfig(Map<String, Object> config) {
        ConfigMap c = ConfigMap.of(config);
        String cls = Config.requiredString(c, "class_name");
        try {
            Optimizer o = switch (cls) {
                case "SGD" -> SGD.builder().config(c).build();
                case "Adam" -> Adam.builder().adamConfig(c).build();
                case "AdamW" -> AdamW.builder().config(c).build();
                case "RMSprop" -> RMSprop.builder().config(c).build();
                case "Adagrad" -> Adagrad.builder().config(c).build();
                default -> throw new IllegalArgumentException("unknown class_name '" + Shortened.of(cls)
                        + "' (expected SGD, Adam, AdamW, RMSprop or Adagrad)");
            };
            c.requireAllRead();
            return o;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Optimizer.fromConfig (" + Shortened.of(cls) + "): " + e.getMessage(), e);
        }
    }
}
