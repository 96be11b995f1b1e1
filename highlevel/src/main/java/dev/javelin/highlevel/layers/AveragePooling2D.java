package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.Map;

/**
 * The mean of each window, as Keras's AveragePooling2D; with {@code "same"} padding, cells outside
 * the input are left out of the count (TensorFlow's rule).
 *
 * <pre>{@code
 * Layer p = new AveragePooling2D(new int[] {3, 3}, new int[] {2, 2}, "same", null);
 * }</pre>
 */
public final class AveragePooling2D extends Pooling2D {
    public AveragePooling2D(int poolSize) {
        this(new int[] {poolSize, poolSize}, null, "valid", null);
    }

    /** @param strides null for the pool size */
    public AveragePooling2D(int[] poolSize, int[] strides, String padding, String name) {
        super(poolSize, strides, padding, name);
    }

    @Override
    Tensor reduce(Tensor windows, int[] axes, Tensor input, int[] ph, int[] pw) {
        Tensor sums = windows.sum(axes);
        if (ph[0] + ph[1] + pw[0] + pw[1] == 0) return sums.div((double) poolSize[0] * poolSize[1]);
        return sums.div(validCounts(input.dim(1), input.dim(2), sums.dim(1), sums.dim(2), ph, pw));
    }

    /** Per output cell, how many window cells lie inside the input: a constant [1, OH, OW, 1]. */
    private Tensor validCounts(int h, int w, int oh, int ow, int[] ph, int[] pw) {
        float[] counts = new float[oh * ow];
        for (int i = 0; i < oh; i++) {
            int r0 = i * strides[0] - ph[0];
            int rows = Math.min(r0 + poolSize[0], h) - Math.max(r0, 0);
            for (int j = 0; j < ow; j++) {
                int c0 = j * strides[1] - pw[0];
                int cols = Math.min(c0 + poolSize[1], w) - Math.max(c0, 0);
                counts[i * ow + j] = Math.max(rows, 0) * Math.max(cols, 0);
            }
        }
        return Tensor.wrap(HeapStorage.wrap(counts), Shape.of(1, oh, ow, 1));
    }

    @Override
    double padValue() {
        return 0;
    }

    public static AveragePooling2D fromConfig(Map<String, Object> c) {
        return new AveragePooling2D(Config.ints(c, "pool_size", 2, new int[] {2, 2}, 1), Config.ints(c, "strides", 2, null, 1),
                Config.choice(c, "padding", "valid", "valid", "same"), Config.string(c, "name", null));
    }

}
