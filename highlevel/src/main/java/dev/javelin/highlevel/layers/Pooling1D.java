package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Max and average pooling over {@code [batch, time, channels]}: the 2-D pooling of
 * {@link Pooling2D} on a {@code [batch, time, 1, channels]} view, so the window arithmetic lives once.
 */
public abstract class Pooling1D extends Layer {
    private final int poolSize;
    private final int strides;
    private final String padding;
    private final Pooling2D pool2d;

    Pooling1D(int poolSize, Integer strides, String padding, String name) {
        super(name);
        String kind = getClass().getSimpleName();
        if (poolSize < 1 || (strides != null && strides < 1)) {
            throw new IllegalArgumentException(kind + ": pool_size and strides must be >= 1, got " + poolSize + ", " + strides);
        }
        this.poolSize = poolSize;
        this.strides = strides == null ? poolSize : strides;
        this.padding = Padding.check(kind, padding);
        // named explicitly so it takes no automatic name; it is called directly, never tracked
        this.pool2d = twoD(new int[] {poolSize, 1}, new int[] {this.strides, 1}, this.padding, name() + "_2d");
    }

    /** The 2-D layer that does the work on the height-{@code time} view. */
    abstract Pooling2D twoD(int[] pool, int[] strides, String padding, String name);

    @Override
    public Tensor call(Tensor x, boolean training) {
        requireRank3(x.shape());
        Checks.nonEmptySequence(this, x.shape());
        Tensor y = pool2d.call(x.unsqueeze(2), training);
        return y.reshape(y.dim(0), y.dim(1), y.dim(3));
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        requireRank3(in);
        Checks.nonEmptySequence(this, in);
        int out = Padding.outputSize(name(), padding, in.dim(1), poolSize, strides, 1);
        return Shape.of(in.dim(0), out, in.dim(2));
    }

    private void requireRank3(Shape in) {
        if (in.rank() != 3) {
            throw new IllegalArgumentException(name() + " (" + getClass().getSimpleName()
                    + "): expected inputs of rank 3 [batch, time, channels], got " + in);
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("pool_size", Config.list(new int[] {poolSize}));
        c.put("strides", Config.list(new int[] {strides}));
        c.put("padding", padding);
        c.put("data_format", "channels_last");
        return c;
    }

    static Integer optionalInt(Map<String, Object> c, String key) {
        int[] v = Config.ints(c, key, 1, null);
        return v == null ? null : v[0];
    }
}
