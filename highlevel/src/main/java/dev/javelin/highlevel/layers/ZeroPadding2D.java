package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * Pads the height and width of NHWC inputs with zeros, as Keras's ZeroPadding2D.
 *
 * <pre>{@code
 * new ZeroPadding2D(1, 2, 0, 3);   // top 1, bottom 2, left 0, right 3
 * }</pre>
 */
public final class ZeroPadding2D extends SpatialMargins {
    /** One int for every side, one per axis (symmetric), or a (before, after) pair per axis in order. */
    public ZeroPadding2D(int... amounts) {
        this(Margins.of("ZeroPadding2D", "padding", 2, amounts.length == 0 ? new int[] {1} : amounts), null);
    }

    public ZeroPadding2D(int[][] amounts, String name) {
        super(name, 2, amounts, false);
    }

    public static ZeroPadding2D fromConfig(Map<String, Object> c) {
        return new ZeroPadding2D(Margins.fromConfig("ZeroPadding2D", "padding", 2, c.get("padding"), 1), Config.string(c, "name", null));
    }
}
