package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * The maximum over 3-D windows of [batch, d1, d2, d3, channels] inputs, as Keras's MaxPooling3D.
 *
 * <pre>{@code
 * Layer pool = new MaxPooling3D(2);                                         // 2x2x2, stride 2, "valid"
 * Layer same = new MaxPooling3D(new int[] {3, 3, 3}, new int[] {2, 2, 2}, "same", null);
 * }</pre>
 */
public final class MaxPooling3D extends Pooling3D {
    public MaxPooling3D(int poolSize) {
        this(new int[] {poolSize}, null, "valid", null);
    }

    /** @param strides null means the pool size, as in Keras */
    public MaxPooling3D(int[] poolSize, int[] strides, String padding, String name) {
        super(poolSize, strides, padding, true, name);
    }

    public static MaxPooling3D fromConfig(Map<String, Object> c) {
        return new MaxPooling3D(Config.ints(c, "pool_size", 3, new int[] {2, 2, 2}), Config.ints(c, "strides", 3, null),
                Config.string(c, "padding", "valid"), Config.string(c, "name", null));
    }
}
