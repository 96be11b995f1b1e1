package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Repeats each step {@code size} times along the time axis of [batch, steps, features], as Keras's UpSampling1D.
 *
 * <pre>{@code
 * Layer up = new UpSampling1D(2);   // [N, 5, F] -> [N, 10, F]
 * }</pre>
 */
public final class UpSampling1D extends Layer {
    private final int size;

    public UpSampling1D(int size) {
        this(size, null);
    }

    public UpSampling1D(int size, String name) {
        super(name);
        if (size < 1) throw new IllegalArgumentException("UpSampling1D: size must be >= 1, got " + size);
        this.size = size;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        computeOutputShape(x.shape());
        return SpatialOps.nearest(x, new int[] {size});
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        if (in.rank() != 3) throw new IllegalArgumentException(name() + " (UpSampling1D): expected inputs [batch, steps, features], got " + in);
        return Shape.of(in.dim(0), Shape.dimension(name() + " (UpSampling1D)", (long) in.dim(1) * size, "upsampling " + in), in.dim(2));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("size", size);
        return c;
    }

    public static UpSampling1D fromConfig(Map<String, Object> c) {
        return new UpSampling1D(Config.integer(c, "size", 2), Config.string(c, "name", null));
    }
}
