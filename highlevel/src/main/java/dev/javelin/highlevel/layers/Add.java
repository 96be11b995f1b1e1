package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The elementwise sum of several inputs, as Keras's Add (e.g. a residual connection; shapes broadcast, as
 * in Keras 3).
 *
 * <pre>{@code
 * Tensor y = new Add().apply(x, new Dense(64).apply(x));
 * }</pre>
 */
public final class Add extends Merge {
    public Add() {
        this(null);
    }

    public Add(String name) {
        super(name, 2, Integer.MAX_VALUE);
    }

    @Override
    Tensor combine(Tensor acc, Tensor next) {
        return acc.add(next);
    }

    public static Add fromConfig(Map<String, Object> c) {
        return new Add(Config.string(c, "name", null));
    }
}
