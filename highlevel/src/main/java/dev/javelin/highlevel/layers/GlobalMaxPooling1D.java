package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * The maximum over time, as Keras's GlobalMaxPooling1D; with a mask, over the real steps only
 * (Keras 3 ignores the mask here; skipping padding is what makes padded batches match).
 *
 * <pre>{@code
 * Layer p = new GlobalMaxPooling1D();   // [N, T, C] -> [N, C]
 * }</pre>
 */
public final class GlobalMaxPooling1D extends GlobalPooling1D {
    public GlobalMaxPooling1D() {
        this(false, null);
    }

    public GlobalMaxPooling1D(boolean keepDims, String name) {
        super(keepDims, name);
    }

    @Override
    Tensor pool(Tensor x, Tensor real) {
        if (real == null) return x.max(1);
        return Ops.where(real, x, Ops.scalarLike(x, Double.NEGATIVE_INFINITY)).max(1);
    }

    public static GlobalMaxPooling1D fromConfig(Map<String, Object> c) {
        Config.choice(c, "data_format", "channels_last", "channels_last");
        return new GlobalMaxPooling1D(Config.bool(c, "keepdims", false), Config.string(c, "name", null));
    }
}
