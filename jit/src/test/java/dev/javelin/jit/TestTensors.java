package dev.javelin.jit;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Random;

/** Seeded test data made on the host, so tests need no backend kernel to create inputs. */
public final class TestTensors {
    private TestTensors() {}

    /** Uniform values in [lo, hi) from {@code seed}. */
    public static Tensor uniform(Shape shape, double lo, double hi, long seed) {
        Random r = new Random(seed);
        float[] v = new float[shape.sizeAsInt()];
        for (int i = 0; i < v.length; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return Tensors.of(v, shape.toArray());
    }

    /** Uniform values in [0, 1). */
    public static Tensor uniform(Shape shape, long seed) {
        return uniform(shape, 0, 1, seed);
    }
}
