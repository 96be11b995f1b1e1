package dev.javelin.highlevel.losses;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.ConfigMap;
import dev.javelin.highlevel.saving.Shortened;
import java.util.Locale;
import java.util.Map;

/**
 * Losses by their Keras names and aliases, as {@code compile(loss="...")} finds them, and from
 * saved configs.
 *
 * <pre>{@code
 * Loss l = Losses.get("sparse_categorical_crossentropy");
 * Loss m = Losses.get("mse");
 * }</pre>
 */
public final class Losses {
    private Losses() {}

    /**
     * A loss with Keras's defaults (probabilities, not logits) by name: {@code mean_squared_error}
     * ({@code mse}), {@code mean_absolute_error} ({@code mae}), {@code huber} ({@code huber_loss}),
     * {@code binary_crossentropy}, {@code categorical_crossentropy},
     * {@code sparse_categorical_crossentropy}; case and the class names
     * ({@code SparseCategoricalCrossentropy}) work too.
     */
    public static Loss get(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace("_", "")) {
            case "meansquarederror", "mse" -> new MeanSquaredError();
            case "meanabsoluteerror", "mae" -> new MeanAbsoluteError();
            case "huber", "huberloss" -> new Huber();
            case "binarycrossentropy", "bce" -> new BinaryCrossentropy();
            case "categoricalcrossentropy" -> new CategoricalCrossentropy();
            case "sparsecategoricalcrossentropy" -> new SparseCategoricalCrossentropy();
            default -> throw new IllegalArgumentException("Losses.get: unknown loss '" + name + "' (expected mse, mae, huber, "
                    + "binary_crossentropy, categorical_crossentropy or sparse_categorical_crossentropy)");
        };
    }

    /** Rebuilds a built-in loss from its {@link Loss#getConfig()}. */
    public static Loss fromConfig(Map<String, Object> config) {
        ConfigMap c = ConfigMap.of(config);
        String cls = Config.requiredString(c, "class_name");
        try {
            Loss loss = switch (cls) {
                case "MeanSquaredError" -> new MeanSquaredError();
                case "MeanAbsoluteError" -> new MeanAbsoluteError();
                case "Huber" -> new Huber(Config.numberIn(c, "delta", 1.0, 0, Double.MAX_VALUE));
                case "BinaryCrossentropy" -> new BinaryCrossentropy(Config.bool(c, "from_logits", false), smoothing(c));
                case "CategoricalCrossentropy" -> new CategoricalCrossentropy(Config.bool(c, "from_logits", false), smoothing(c));
                case "SparseCategoricalCrossentropy" -> new SparseCategoricalCrossentropy(Config.bool(c, "from_logits", false));
                default -> throw new IllegalArgumentException("unknown loss class '" + Shortened.of(cls)
                        + "' (a custom loss is rebuilt by the code that defined it)");
            };
            Config.string(c, "name", null); // Keras saves it; the built-in losses take their class's name
            c.requireAllRead();
            return loss;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Losses.fromConfig (" + Shortened.of(cls) + "): " + e.getMessage(), e);
        }
    }

    private static double smoothing(Map<String, Object> c) {
        return Config.numberIn(c, "label_smoothing", 0.0, 0, 1);
    }
}
