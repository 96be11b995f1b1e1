package dev.javelin.highlevel.metrics;

import dev.javelin.highlevel.losses.BinaryCrossentropy;
import dev.javelin.highlevel.losses.CategoricalCrossentropy;
import dev.javelin.highlevel.losses.Loss;
import dev.javelin.highlevel.losses.SparseCategoricalCrossentropy;
import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.ConfigMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Metrics by their Keras names, as {@code compile(metrics=[...])} finds them.
 *
 * <pre>{@code
 * Metric acc = Metrics.get("accuracy", new SparseCategoricalCrossentropy());  // sparse categorical, named "accuracy"
 * Metric mae = Metrics.get("mae");                                           // named "mae", as Keras 3 names it
 * }</pre>
 */
public final class Metrics {
    private Metrics() {}

    /** The classes {@link #fromConfig} rebuilds (a subclass, or a metric of the user's own, is saved by name). */
    private static final Set<Class<?>> REBUILT = Set.of(Accuracy.class, BinaryAccuracy.class, CategoricalAccuracy.class,
            SparseCategoricalAccuracy.class, TopKCategoricalAccuracy.class, MeanSquaredError.class, MeanAbsoluteError.class,
            Precision.class, Recall.class, Mean.class);

    /** Whether {@code m} is saved as its {@link Metric#getConfig()} (else by its name, resolved again by {@link #get}). */
    public static boolean isRebuiltFromConfig(Metric m) {
        return REBUILT.contains(m.getClass());
    }

    /**
     * A built-in metric from its {@link Metric#className()} and {@link Metric#getConfig()}, as a compiled model's
     * saved state holds it; read strictly (a key it does not know is refused).
     */
    public static Metric fromConfig(String className, Map<String, Object> config) {
        ConfigMap c = ConfigMap.of(config);
        String name = Config.requiredString(c, "name");
        Metric m = switch (className) {
            case "Accuracy" -> new Accuracy(name);
            case "BinaryAccuracy" -> new BinaryAccuracy(name, Config.number(c, "threshold", 0.5));
            case "CategoricalAccuracy" -> new CategoricalAccuracy(name);
            case "SparseCategoricalAccuracy" -> new SparseCategoricalAccuracy(name);
            case "TopKCategoricalAccuracy" -> TopKCategoricalAccuracy.named(name, Config.integer(c, "k", 5));
            case "SparseTopKCategoricalAccuracy" -> TopKCategoricalAccuracy.sparse(name, Config.integer(c, "k", 5));
            case "MeanSquaredError" -> new MeanSquaredError(name);
            case "MeanAbsoluteError" -> new MeanAbsoluteError(name);
            case "Precision" -> new Precision(name, Config.number(c, "threshold", 0.5));
            case "Recall" -> new Recall(name, Config.number(c, "threshold", 0.5));
            case "Mean" -> new Mean(name);
            default -> throw new IllegalArgumentException("Metrics.fromConfig: unknown metric class '" + className + "'");
        };
        c.requireAllRead();
        return m;
    }

    /**
     * A new metric by name: {@code accuracy} ({@code acc}, chosen from the shapes of the first batch
     * as Keras does), {@code binary_accuracy}, {@code categorical_accuracy},
     * {@code sparse_categorical_accuracy}, {@code top_k_categorical_accuracy},
     * {@code sparse_top_k_categorical_accuracy}, {@code mse}/{@code mean_squared_error},
     * {@code mae}/{@code mean_absolute_error}, {@code precision}, {@code recall}; any case, and the
     * class names work too.
     */
    public static Metric get(String name) {
        return get(name, null);
    }

    /**
     * As {@link #get(String)}, with {@code accuracy} resolved by the loss: sparse categorical
     * accuracy for {@link SparseCategoricalCrossentropy}, categorical for
     * {@link CategoricalCrossentropy}, binary for {@link BinaryCrossentropy}, else from the shapes
     * of the first batch. The metric keeps the name it was asked by ({@code accuracy} or {@code acc}).
     */
    public static Metric get(String name, Loss loss) {
        String key = name.toLowerCase(Locale.ROOT).replace("_", "");
        if (key.equals("accuracy") || key.equals("acc")) {
            return switch (loss) {
                case SparseCategoricalCrossentropy s -> new SparseCategoricalAccuracy(name);
                case CategoricalCrossentropy c -> new CategoricalAccuracy(name);
                case BinaryCrossentropy b -> new BinaryAccuracy(name, 0.5);
                case null, default -> new InferredAccuracy(name);
            };
        }
        // as Keras 3 (compile_utils.get_metric): a metric asked for by a string is named by that string,
        // so metrics=["mae"] logs "mae" and "val_mae", the keys a callback's monitor names
        return switch (key) {
            case "binaryaccuracy" -> new BinaryAccuracy(name, 0.5);
            case "categoricalaccuracy" -> new CategoricalAccuracy(name);
            case "sparsecategoricalaccuracy" -> new SparseCategoricalAccuracy(name);
            case "topkcategoricalaccuracy" -> TopKCategoricalAccuracy.named(name, 5);
            case "sparsetopkcategoricalaccuracy" -> TopKCategoricalAccuracy.sparse(name, 5);
            case "mse", "meansquarederror" -> new MeanSquaredError(name);
            case "mae", "meanabsoluteerror" -> new MeanAbsoluteError(name);
            case "precision" -> new Precision(name, 0.5);
            case "recall" -> new Recall(name, 0.5);
            default -> throw new IllegalArgumentException("Metrics.get: unknown metric '" + name + "' (expected accuracy, "
                    + "binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy, "
                    + "sparse_top_k_categorical_accuracy, mse, mae, precision or recall; or pass a Metric instance)");
        };
    }
}
