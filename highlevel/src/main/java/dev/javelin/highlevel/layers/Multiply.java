package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The elementwise product of several inputs, as Keras's Multiply (shapes broadcast).
 *
 * <pre>{@code
 * Tensor y = new Multiply().apply(x, gate);
 * }</pre>
 */
public final class Multiply extends Merge {
    public Multiply() {
        this(null);
    }

    public Multiply(String name) {
        super(name, 2, Integer.MAX_VALUE);
    }

    @Override
    Tensor combine(Tensor acc, Tensor next) {
        return acc.mul(next);
    }

    public static Multiply fromConfig(Map<String, Object> c) {
        return new Multiply(Config.string(c, "name", null));
    }
}
