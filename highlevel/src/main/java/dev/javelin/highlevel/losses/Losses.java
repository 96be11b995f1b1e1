package dev.javelin.highlevel.losses;

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
    public static Loss fromConfig(Map<String, Object> c) {
        Object cls = c.get("class_name");
        boolean logits = Boolean.TRUE.equals(c.get("from_logits"));
        double smoothing = c.get("label_smoothing") instanceof Number n ? n.doubleValue() : 0.0;
        return switch (String.valueOf(cls)) {
            case "MeanSquaredError" -> new MeanSquaredError();
            case "MeanAbsoluteError" -> new MeanAbsoluteError();
            case "Huber" -> new Huber(c.get("delta") instanceof Number n ? n.doubleValue() : 1.0);
            case "BinaryCrossentropy" -> new BinaryCrossentropy(logits, smoothing);
            case "CategoricalCrossentropy" -> new CategoricalCrossentropy(logits, smoothing);
            case "SparseCategoricalCrossentropy" -> new SparseCategoricalCrossentropy(logits);
            default -> throw new IllegalArgumentException("Losses.fromConfig: unknown loss class '" + cls
                    + "' (a custom loss is rebuilt by the code that defined it)");
        };
    }
}
