package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * Pads the three spatial axes of [batch, d1, d2, d3, channels] inputs with zeros, as Keras's ZeroPadding3D.
 *
 * <pre>{@code
 * new ZeroPadding3D(1);
 * }</pre>
 */
public final class ZeroPadding3D extends SpatialMargins {
    /** One int for every side, one per axis (symmetric), or a (before, after) pair per axis in order. */
    public ZeroPadding3D(int... amounts) {
        this(Margins.of("ZeroPadding3D", "padding", 3, amounts.length == 0 ? new int[] {1} : amounts), null);
    }

    public ZeroPadding3D(int[][] amounts, String name) {
        super(name, 3, amounts, false);
    }

    public static ZeroPadding3D fromConfig(Map<String, Object> c) {
        return new ZeroPadding3D(Margins.fromConfig("ZeroPadding3D", "padding", 3, c.get("padding"), 1), Config.string(c, "name", null));
    }
}
