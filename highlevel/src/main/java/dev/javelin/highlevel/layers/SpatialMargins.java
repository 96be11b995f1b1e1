package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * ZeroPadding1D/2D/3D and Cropping1D/2D/3D: zeros added around, or rows cut off, the spatial axes of
 * channels-last inputs {@code [batch, spatial..., channels]}. Padding is a PAD, cropping a view.
 */
abstract class SpatialMargins extends Layer {
    private final int axes;
    private final int[][] margins;
    private final boolean crop;

    SpatialMargins(String name, int axes, int[][] margins, boolean crop) {
        super(name);
        this.axes = axes;
        this.crop = crop;
        int[] flat = new int[2 * axes];
        if (margins.length != axes) throw new IllegalArgumentException(type() + ": expected " + axes + " (before, after) pairs");
        for (int a = 0; a < axes; a++) {
            flat[2 * a] = margins[a][0];
            flat[2 * a + 1] = margins[a][1];
        }
        this.margins = Margins.of(type(), argument(), axes, flat);
    }

    private String type() {
        return getClass().getSimpleName();
    }

    private String argument() {
        return crop ? "cropping" : "padding";
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Shape out = computeOutputShape(x.shape());
        if (crop) {
            Tensor y = x;
            for (int a = 0; a < axes; a++) y = y.narrow(a + 1, margins[a][0], out.dim(a + 1));
            return y;
        }
        int[] low = new int[x.rank()], high = new int[x.rank()];
        for (int a = 0; a < axes; a++) {
            low[a + 1] = margins[a][0];
            high[a + 1] = margins[a][1];
        }
        return Ops.pad(x, low, high, new int[x.rank()], 0);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        if (in.rank() != axes + 2) {
            throw new IllegalArgumentException(name() + " (" + type() + "): expected inputs [batch, " + axes + " spatial axes, channels], got " + in);
        }
        int[] d = in.toArray();
        for (int a = 0; a < axes; a++) {
            int change = margins[a][0] + margins[a][1];
            d[a + 1] += crop ? -change : change;
            if (d[a + 1] < 0) {
                throw new IllegalArgumentException(name() + " (" + type() + "): cropping " + Margins.toConfig(margins) + " is larger than the input " + in);
            }
        }
        return Shape.of(d);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put(argument(), Margins.toConfig(margins));
        return c;
    }
}
