package dev.javelin.highlevel.layers;

import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Pooling over the whole time axis: {@code [batch, time, channels]} to {@code [batch, channels]}
 * (or {@code [batch, 1, channels]} with {@code keepdims}). A padding mask ({@link Masks}) leaves the
 * masked steps out, so a padded batch pools exactly as its unpadded sequences; a sequence that is all
 * padding (an empty text) pools to zeros, as the recurrent layers' states and the losses treat it.
 */
public abstract class GlobalPooling1D extends Layer {
    private final boolean keepDims;

    GlobalPooling1D(boolean keepDims, String name) {
        super(name);
        this.keepDims = keepDims;
    }

    /** Pools axis 1 of {@code x}; {@code real} is the bool mask {@code [batch, time, 1]} or null. */
    abstract Tensor pool(Tensor x, Tensor real);

    @Override
    public Tensor call(Tensor x, boolean training) {
        return call(x, training, null);
    }

    @Override
    public Tensor call(Tensor x, boolean training, Tensor mask) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException(name() + " (" + getClass().getSimpleName()
                    + "): expected inputs of rank 3 [batch, time, channels], got " + x.shape());
        }
        Checks.nonEmptySequence(this, x.shape());
        Tensor m = Masks.check(name() + " (" + getClass().getSimpleName() + ")", x, mask);
        Tensor real = m == null ? null : m.unsqueeze(-1);
        Tensor y = pool(x, real);
        // no real step: zeros, not the max's -inf or the mean's 0/0 NaN, which made a whole batch's loss NaN
        if (real != null) y = Ops.where(MathOps.any(real, new int[] {1}, false), y, Ops.scalarLike(y, 0));
        return keepDims ? y.unsqueeze(1) : y;
    }

    /** The mask stops here (there is no time axis left), as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor computeMask(Tensor inputs, Tensor previousMask) {
        return null;
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return keepDims ? Shape.of(in.dim(0), 1, in.dim(2)) : Shape.of(in.dim(0), in.dim(2));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("data_format", "channels_last");
        c.put("keepdims", keepDims);
        return c;
    }
}
