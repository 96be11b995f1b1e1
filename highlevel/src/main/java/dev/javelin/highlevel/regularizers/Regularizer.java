package dev.javelin.highlevel.regularizers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.saving.Shortened;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * A penalty on a weight, added to the loss during training (Keras's {@code kernel_regularizer}).
 *
 * <pre>{@code
 * new Dense(64, "relu", new L2(1e-4));
 * }</pre>
 */
public interface Regularizer {
    /** A scalar penalty for {@code weight}, built from ordinary tensor ops so it has a gradient. */
    Tensor apply(Tensor weight);

    /** The Keras class name, e.g. {@code L2}. */
    default String className() {
        return getClass().getSimpleName();
    }

    /** The constructor arguments, for saving. */
    Map<String, Object> getConfig();

    /** Rebuilds {@code L1}, {@code L2} or {@code L1L2} from its class name and config. */
    static Regularizer fromConfig(String className, Map<String, Object> config) {
        return switch (className) {
            case "L1", "l1" -> new L1(strength(config, "l1"));
            case "L2", "l2" -> new L2(strength(config, "l2"));
            case "L1L2", "l1_l2" -> new L1L2(strength(config, "l1"), strength(config, "l2"));
            default -> throw new IllegalArgumentException("Regularizer.fromConfig: unknown regularizer '" + Shortened.of(className)
                    + "' (expected L1, L2 or L1L2)");
        };
    }

    private static double strength(Map<String, Object> config, String key) {
        return Config.numberIn(config, key, 0, 0, Double.MAX_VALUE);
    }
}
