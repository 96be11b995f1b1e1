package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * The mean of each window along time, as Keras's AveragePooling1D; with {@code "same"} padding the
 * steps outside the input are left out of the count.
 *
 * <pre>{@code
 * Layer p = new AveragePooling1D(3, 2, "same", null);
 * }</pre>
 */
public final class AveragePooling1D extends Pooling1D {
    public AveragePooling1D(int poolSize) {
        this(poolSize, null, "valid", null);
    }

    /** @param strides null for the pool size */
    public AveragePooling1D(int poolSize, Integer strides, String padding, String name) {
        super(poolSize, strides, padding, name);
    }

    @Override
    Pooling2D twoD(int[] pool, int[] strides, String padding, String name) {
        return new AveragePooling2D(pool, strides, padding, name);
    }

    public static AveragePooling1D fromConfig(Map<String, Object> c) {
        Config.choice(c, "data_format", "channels_last", "channels_last");
        return new AveragePooling1D(Config.ints(c, "pool_size", 1, new int[] {2})[0], optionalInt(c, "strides"),
                Config.string(c, "padding", "valid"), Config.string(c, "name", null));
    }
}
