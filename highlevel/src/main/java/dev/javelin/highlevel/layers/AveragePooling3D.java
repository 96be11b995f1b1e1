package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * The mean over 3-D windows (with "same" padding, over the real entries of each window) of [batch, d1, d2, d3, channels] inputs, as Keras's AveragePooling3D.
 *
 * <pre>{@code
 * Layer pool = new AveragePooling3D(2);                                         // 2x2x2, stride 2, "valid"
 * Layer same = new AveragePooling3D(new int[] {3, 3, 3}, new int[] {2, 2, 2}, "same", null);
 * }</pre>
 */
public final class AveragePooling3D extends Pooling3D {
    public AveragePooling3D(int poolSize) {
        this(new int[] {poolSize}, null, "valid", null);
    }

    /** @param strides null means the pool size, as in Keras */
    public AveragePooling3D(int[] poolSize, int[] strides, String padding, String name) {
        super(poolSize, strides, padding, false, name);
    }

    public static AveragePooling3D fromConfig(Map<String, Object> c) {
        return new AveragePooling3D(Config.ints(c, "pool_size", 3, new int[] {2, 2, 2}), Config.ints(c, "strides", 3, null),
                Config.string(c, "padding", "valid"), Config.string(c, "name", null));
    }
}
