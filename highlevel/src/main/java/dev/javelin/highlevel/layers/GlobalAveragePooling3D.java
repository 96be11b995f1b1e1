package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * The mean over the three spatial axes, as Keras's GlobalAveragePooling3D: to [batch, channels], or with {@code keepdims} keeping the spatial axes as size 1.
 *
 * <pre>{@code
 * Layer pool = new GlobalAveragePooling3D();
 * }</pre>
 */
public final class GlobalAveragePooling3D extends GlobalPooling {
    public GlobalAveragePooling3D() {
        this(false, null);
    }

    public GlobalAveragePooling3D(boolean keepDims, String name) {
        super(3, false, keepDims, name);
    }

    public static GlobalAveragePooling3D fromConfig(Map<String, Object> c) {
        return new GlobalAveragePooling3D(Config.bool(c, "keepdims", false), Config.string(c, "name", null));
    }
}
