package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * The mean over height and width of NHWC inputs, as Keras's GlobalAveragePooling2D: to [batch, channels], or with {@code keepdims} keeping the spatial axes as size 1.
 *
 * <pre>{@code
 * Layer pool = new GlobalAveragePooling2D();   // [N, H, W, C] to [N, C]
 * }</pre>
 */
public final class GlobalAveragePooling2D extends GlobalPooling {
    public GlobalAveragePooling2D() {
        this(false, null);
    }

    public GlobalAveragePooling2D(String name) {
        this(false, name);
    }

    public GlobalAveragePooling2D(boolean keepDims, String name) {
        super(2, false, keepDims, name);
    }

    public static GlobalAveragePooling2D fromConfig(Map<String, Object> c) {
        return new GlobalAveragePooling2D(Config.bool(c, "keepdims", false), Config.string(c, "name", null));
    }
}
