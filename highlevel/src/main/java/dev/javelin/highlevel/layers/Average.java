package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The elementwise mean of several inputs, as Keras's Average (shapes broadcast).
 *
 * <pre>{@code
 * Tensor y = new Average().apply(a, b, c);
 * }</pre>
 */
public final class Average extends Merge {
    public Average() {
        this(null);
    }

    public Average(String name) {
        super(name, 2, Integer.MAX_VALUE);
    }

    @Override
    Tensor combine(Tensor acc, Tensor next) {
        return acc.add(next);
    }

    @Override
    Tensor finish(Tensor acc, int n) {
        return acc.div((double) n);
    }

    public static Average fromConfig(Map<String, Object> c) {
        return new Average(Config.string(c, "name", null));
    }
}
