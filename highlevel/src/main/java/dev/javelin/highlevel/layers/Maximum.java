package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The elementwise maximum of several inputs, as Keras's Maximum (shapes broadcast).
 *
 * <pre>{@code
 * Tensor y = new Maximum().apply(a, b);
 * }</pre>
 */
public final class Maximum extends Merge {
    public Maximum() {
        this(null);
    }

    public Maximum(String name) {
        super(name, 2, Integer.MAX_VALUE);
    }

    @Override
    Tensor combine(Tensor acc, Tensor next) {
        return acc.maximum(next);
    }

    public static Maximum fromConfig(Map<String, Object> c) {
        return new Maximum(Config.string(c, "name", null));
    }
}
