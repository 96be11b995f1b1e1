package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * The maximum over the three spatial axes, as Keras's GlobalMaxPooling3D: to [batch, channels], or with {@code keepdims} keeping the spatial axes as size 1.
 *
 * <pre>{@code
 * Layer pool = new GlobalMaxPooling3D();
 * }</pre>
 */
public final class GlobalMaxPooling3D extends GlobalPooling {
    public GlobalMaxPooling3D() {
        this(false, null);
    }

    public GlobalMaxPooling3D(boolean keepDims, String name) {
        super(3, true, keepDims, name);
    }

    public static GlobalMaxPooling3D fromConfig(Map<String, Object> c) {
        return new GlobalMaxPooling3D(Config.bool(c, "keepdims", false), Config.string(c, "name", null));
    }
}
