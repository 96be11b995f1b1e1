package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The global pooling layers: the max or mean over every spatial axis of [batch, spatial..., channels],
 * to [batch, channels] (or with {@code keepdims}, size 1 along each spatial axis).
 */
abstract class GlobalPooling extends Layer {
    private final int axes;
    private final boolean max;
    private final boolean keepDims;

    GlobalPooling(int axes, boolean max, boolean keepDims, String name) {
        super(name);
        this.axes = axes;
        this.max = max;
        this.keepDims = keepDims;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        computeOutputShape(x.shape());
        int[] spatial = new int[axes];
        for (int a = 0; a < axes; a++) spatial[a] = a + 1;
        return max ? x.max(spatial, keepDims) : x.mean(spatial, keepDims);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        if (in.rank() != axes + 2) {
            throw new IllegalArgumentException(name() + " (" + getClass().getSimpleName() + "): expected inputs [batch, " + axes
                    + " spatial axes, channels], got " + in);
        }
        if (!keepDims) return Shape.of(in.dim(0), in.dim(-1));
        int[] d = in.toArray();
        for (int a = 1; a <= axes; a++) d[a] = 1;
        return Shape.of(d);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("keepdims", keepDims);
        return c;
    }
}
