package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The mean over time, as Keras's GlobalAveragePooling1D; with a mask, the mean over the real steps.
 *
 * <pre>{@code
 * Layer p = new GlobalAveragePooling1D();   // [N, T, C] -> [N, C]
 * }</pre>
 */
public final class GlobalAveragePooling1D extends GlobalPooling1D {
    public GlobalAveragePooling1D() {
        this(false, null);
    }

    public GlobalAveragePooling1D(boolean keepDims, String name) {
        super(keepDims, name);
    }

    @Override
    Tensor pool(Tensor x, Tensor real) {
        if (real == null) return x.mean(1);
        Tensor w = real.cast(x.dtype());
        return x.mul(w).sum(1).div(w.sum(1).maximum(1.0)); // a count of 0 (all padding) divides a sum of 0, without a NaN gradient
    }

    public static GlobalAveragePooling1D fromConfig(Map<String, Object> c) {
        Config.choice(c, "data_format", "channels_last", "channels_last");
        return new GlobalAveragePooling1D(Config.bool(c, "keepdims", false), Config.string(c, "name", null));
    }
}
