package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * The maximum over height and width of NHWC inputs, as Keras's GlobalMaxPooling2D: to [batch, channels], or with {@code keepdims} keeping the spatial axes as size 1.
 *
 * <pre>{@code
 * Layer pool = new GlobalMaxPooling2D();
 * }</pre>
 */
public final class GlobalMaxPooling2D extends GlobalPooling {
    public GlobalMaxPooling2D() {
        this(false, null);
    }

    public GlobalMaxPooling2D(boolean keepDims, String name) {
        super(2, true, keepDims, name);
    }

    public static GlobalMaxPooling2D fromConfig(Map<String, Object> c) {
        return new GlobalMaxPooling2D(Config.bool(c, "keepdims", false), Config.string(c, "name", null));
    }
}
