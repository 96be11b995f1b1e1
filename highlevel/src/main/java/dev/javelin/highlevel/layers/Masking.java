package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Masks the time steps whose features all equal {@code maskValue}, as Keras's Masking: on
 * {@code [batch, time, features]} inputs the output is the input with those steps zeroed, and it
 * carries the mask {@code any(x != maskValue, axis=-1)} ({@link Masks}) for the layers after it.
 *
 * <pre>{@code
 * Model m = new Sequential(new InputLayer(20, 3), new Masking(0.0), new LSTM(32), new Dense(1));
 * }</pre>
 */
public final class Masking extends Layer {
    private final double maskValue;

    public Masking() {
        this(0.0, null);
    }

    public Masking(double maskValue) {
        this(maskValue, null);
    }

    public Masking(double maskValue, String name) {
        super(name);
        this.maskValue = maskValue;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        if (x.rank() < 3) {
            throw new IllegalArgumentException(name() + " (Masking): expected inputs [batch, time, features], got " + x.dtype() + x.shape());
        }
        Tensor keep = computeMask(x, null);
        int[] dims = new int[x.rank()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = x.dim(0);
        dims[1] = x.dim(1);
        return x.mul(keep.cast(x.dtype()).reshape(dims));
    }

    @Override
    public boolean supportsMasking() {
        return true;
    }

    /** True where any feature of a step differs from {@code maskValue}: [batch, time]. */
    @Override
    public Tensor computeMask(Tensor x, Tensor previousMask) {
        int[] featureAxes = new int[x.rank() - 2];
        for (int i = 0; i < featureAxes.length; i++) featureAxes[i] = i + 2;
        Tensor differs = x.ne(Ops.scalarLike(x, maskValue)).cast(x.dtype());
        return differs.max(featureAxes).gt(0.0);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    public double maskValue() {
        return maskValue;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("mask_value", maskValue);
        return c;
    }

    public static Masking fromConfig(Map<String, Object> c) {
        return new Masking(Config.number(c, "mask_value", 0.0), Config.string(c, "name", null));
    }
}
