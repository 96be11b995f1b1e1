package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * The maximum of each window along time, as Keras's MaxPooling1D (strides default to the pool size).
 *
 * <pre>{@code
 * Layer p = new MaxPooling1D(2);   // [N, 10, C] -> [N, 5, C]
 * }</pre>
 */
public final class MaxPooling1D extends Pooling1D {
    public MaxPooling1D(int poolSize) {
        this(poolSize, null, "valid", null);
    }

    /** @param strides null for the pool size */
    public MaxPooling1D(int poolSize, Integer strides, String padding, String name) {
        super(poolSize, strides, padding, name);
    }

    @Override
    Pooling2D twoD(int[] pool, int[] strides, String padding, String name) {
        return new MaxPooling2D(pool, strides, padding, name);
    }

    public static MaxPooling1D fromConfig(Map<String, Object> c) {
        Config.choice(c, "data_format", "channels_last", "channels_last");
        return new MaxPooling1D(Config.ints(c, "pool_size", 1, new int[] {2})[0], optionalInt(c, "strides"),
                Config.string(c, "padding", "valid"), Config.string(c, "name", null));
    }
}
