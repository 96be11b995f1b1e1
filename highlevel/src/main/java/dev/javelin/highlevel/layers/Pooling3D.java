package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/** MaxPooling3D and AveragePooling3D over [batch, d1, d2, d3, channels]: separable box pooling (see {@link SpatialOps}). */
abstract class Pooling3D extends Layer {
    private final int[] pool;
    private final int[] strides;
    private final String padding;
    private final boolean max;

    Pooling3D(int[] pool, int[] strides, String padding, boolean max, String name) {
        super(name);
        this.pool = triple("pool_size", pool);
        this.strides = strides == null ? this.pool : triple("strides", strides);
        this.padding = Padding.check(getClass().getSimpleName(), padding);
        this.max = max;
    }

    private int[] triple(String what, int[] v) {
        int[] t = v.length == 1 ? new int[] {v[0], v[0], v[0]} : v.clone();
        if (t.length != 3 || t[0] < 1 || t[1] < 1 || t[2] < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + what + " must be one or three positive ints, got "
                    + Arrays.toString(v));
        }
        return t;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        computeOutputShape(x.shape());
        String layer = name() + " (" + getClass().getSimpleName() + ")";
        return max ? SpatialOps.boxReduce(layer, x, pool, strides, padding, true) : SpatialOps.boxMean(layer, x, pool, strides, padding);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        String layer = name() + " (" + getClass().getSimpleName() + ")";
        if (in.rank() != 5) throw new IllegalArgumentException(layer + ": expected inputs [batch, d1, d2, d3, channels], got " + in);
        int[] d = in.toArray();
        for (int a = 0; a < 3; a++) d[a + 1] = Padding.outputSize(layer, padding, in.dim(a + 1), pool[a], strides[a], 1);
        return Shape.of(d);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("pool_size", Config.list(pool));
        c.put("strides", Config.list(strides));
        c.put("padding", padding);
        return c;
    }
}
