package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Repeats entries along the three spatial axes of [batch, d1, d2, d3, channels] (nearest), as Keras's UpSampling3D.
 *
 * <pre>{@code
 * Layer up = new UpSampling3D(2, 2, 2);
 * }</pre>
 */
public final class UpSampling3D extends Layer {
    private final int[] size;

    /** One factor for all axes or one per axis; Keras's default is 2. */
    public UpSampling3D(int... size) {
        this(size, null);
    }

    public UpSampling3D(int[] size, String name) {
        super(name);
        int[] s = size.length == 0 ? new int[] {2} : size;
        if (s.length == 1) s = new int[] {s[0], s[0], s[0]};
        if (s.length != 3 || s[0] < 1 || s[1] < 1 || s[2] < 1) {
            throw new IllegalArgumentException("UpSampling3D: size must be one or three positive ints, got " + Arrays.toString(size));
        }
        this.size = s;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        computeOutputShape(x.shape());
        return SpatialOps.nearest(x, size);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        if (in.rank() != 5) throw new IllegalArgumentException(name() + " (UpSampling3D): expected inputs [batch, d1, d2, d3, channels], got " + in);
        String op = name() + " (UpSampling3D)", context = "upsampling " + in;
        return Shape.of(in.dim(0), Shape.dimension(op, (long) in.dim(1) * size[0], context),
                Shape.dimension(op, (long) in.dim(2) * size[1], context), Shape.dimension(op, (long) in.dim(3) * size[2], context), in.dim(4));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("size", Config.list(size));
        return c;
    }

    public static UpSampling3D fromConfig(Map<String, Object> c) {
        return new UpSampling3D(Config.ints(c, "size", 3, new int[] {2, 2, 2}), Config.string(c, "name", null));
    }
}
