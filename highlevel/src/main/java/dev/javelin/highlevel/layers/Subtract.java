package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The difference of exactly two inputs, first minus second, as Keras's Subtract (shapes broadcast).
 *
 * <pre>{@code
 * Tensor y = new Subtract().apply(a, b);
 * }</pre>
 */
public final class Subtract extends Merge {
    public Subtract() {
        this(null);
    }

    public Subtract(String name) {
        super(name, 2, 2);
    }

    @Override
    Tensor combine(Tensor acc, Tensor next) {
        return acc.sub(next);
    }

    public static Subtract fromConfig(Map<String, Object> c) {
        return new Subtract(Config.string(c, "name", null));
    }
}
