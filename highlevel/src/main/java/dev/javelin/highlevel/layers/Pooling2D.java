package dev.javelin.highlevel.layers;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The shared part of max and average pooling over NHWC inputs: window geometry, padding, and the
 * windows themselves. Non-overlapping "valid" windows are a reshape of the input
 * ({@code [N, OH, ph, OW, pw, C]}); any other geometry uses the UNFOLD view.
 */
public abstract class Pooling2D extends Layer {
    final int[] poolSize;
    final int[] strides;
    final String padding;

    Pooling2D(int[] poolSize, int[] strides, String padding, String name) {
        super(name);
        String kind = getClass().getSimpleName();
        this.poolSize = Padding.pair(kind, "pool_size", poolSize);
        this.strides = strides == null ? this.poolSize.clone() : Padding.pair(kind, "strides", strides);
        this.padding = Padding.check(kind, padding);
    }

    /** Reduces each window; {@code axes} are the two window axes of {@code windows}. */
    abstract Tensor reduce(Tensor windows, int[] axes, Tensor input, int[] ph, int[] pw);

    /** The value that padding cells hold (they must never win the reduction). */
    abstract double padValue();

    @Override
    public Tensor call(Tensor x, boolean training) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(name() + " (" + getClass().getSimpleName() + "): expected NHWC inputs, got " + x.shape());
        }
        int oh = Padding.outputSize(name(), padding, x.dim(1), poolSize[0], strides[0], 1);
        int ow = Padding.outputSize(name(), padding, x.dim(2), poolSize[1], strides[1], 1);
        int[] ph = Padding.amounts(padding, x.dim(1), poolSize[0], strides[0], 1);
        int[] pw = Padding.amounts(padding, x.dim(2), poolSize[1], strides[1], 1);
        boolean tiles = padding.equals("valid") && strides[0] == poolSize[0] && strides[1] == poolSize[1];
        if (tiles) {
            Tensor cropped = x.narrow(1, 0, oh * poolSize[0]).narrow(2, 0, ow * poolSize[1]);
            Tensor windows = cropped.reshape(x.dim(0), oh, poolSize[0], ow, poolSize[1], x.dim(3));
            return reduce(windows, new int[] {2, 4}, x, ph, pw);
        }
        Tensor padded = Ops.pad(x, new int[] {0, ph[0], pw[0], 0}, new int[] {0, ph[1], pw[1], 0}, new int[4], padValue());
        Tensor windows = Ops.unfold(padded, new OpAttrs.Window(poolSize[0], poolSize[1], strides[0], strides[1], 1, 1));
        return reduce(windows, new int[] {3, 4}, x, ph, pw);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        int oh = Padding.outputSize(name(), padding, in.dim(1), poolSize[0], strides[0], 1);
        int ow = Padding.outputSize(name(), padding, in.dim(2), poolSize[1], strides[1], 1);
        return Shape.of(in.dim(0), oh, ow, in.dim(3));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("pool_size", Config.list(poolSize));
        c.put("strides", Config.list(strides));
        c.put("padding", padding);
        return c;
    }
}
