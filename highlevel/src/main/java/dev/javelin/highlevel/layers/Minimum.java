package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The elementwise minimum of several inputs, as Keras's Minimum (shapes broadcast).
 *
 * <pre>{@code
 * Tensor y = new Minimum().apply(a, b);
 * }</pre>
 */
public final class Minimum extends Merge {
    public Minimum() {
        this(null);
    }

    public Minimum(String name) {
        super(name, 2, Integer.MAX_VALUE);
    }

    @Override
    Tensor combine(Tensor acc, Tensor next) {
        return acc.minimum(next);
    }

    public static Minimum fromConfig(Map<String, Object> c) {
        return new Minimum(Config.string(c, "name", null));
    }
}
