package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * Pads the time axis of [batch, steps, channels] inputs with zeros, as Keras's ZeroPadding1D.
 *
 * <pre>{@code
 * new ZeroPadding1D(2, 1);   // 2 steps before, 1 after
 * }</pre>
 */
public final class ZeroPadding1D extends SpatialMargins {
    /** One int for every side, one per axis (symmetric), or a (before, after) pair per axis in order. */
    public ZeroPadding1D(int... amounts) {
        this(Margins.of("ZeroPadding1D", "padding", 1, amounts.length == 0 ? new int[] {1} : amounts), null);
    }

    public ZeroPadding1D(int[][] amounts, String name) {
        super(name, 1, amounts, false);
    }

    public static ZeroPadding1D fromConfig(Map<String, Object> c) {
        return new ZeroPadding1D(Margins.fromConfig("ZeroPadding1D", "padding", 1, c.get("padding"), 1), Config.string(c, "name", null));
    }
}
