package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The maximum of each window, as Keras's MaxPooling2D (strides default to the pool size).
 *
 * <pre>{@code
 * Layer p = new MaxPooling2D(2);   // 2x2 windows, stride 2, "valid"
 * }</pre>
 */
public final class MaxPooling2D extends Pooling2D {
    public MaxPooling2D(int poolSize) {
        this(new int[] {poolSize, poolSize}, null, "valid", null);
    }

    /** @param strides null for the pool size */
    public MaxPooling2D(int[] poolSize, int[] strides, String padding, String name) {
        super(poolSize, strides, padding, name);
    }

    @Override
    Tensor reduce(Tensor windows, int[] axes, Tensor input, int[] ph, int[] pw) {
        return Ops.reduce(Op.REDUCE_MAX, windows, axes, false);
    }

    @Override
    double padValue() {
        return Double.NEGATIVE_INFINITY;
    }

    public static MaxPooling2D fromConfig(Map<String, Object> c) {
        return new MaxPooling2D(Config.ints(c, "pool_size", 2, new int[] {2, 2}, 1), Config.ints(c, "strides", 2, null, 1),
                Config.choice(c, "padding", "valid", "valid", "same"), Config.string(c, "name", null));
    }
}
