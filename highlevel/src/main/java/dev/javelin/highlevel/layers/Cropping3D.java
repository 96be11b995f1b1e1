package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * Cuts entries off the three spatial axes of [batch, d1, d2, d3, channels] inputs (a view), as Keras's Cropping3D.
 *
 * <pre>{@code
 * new Cropping3D(1, 0, 2);
 * }</pre>
 */
public final class Cropping3D extends SpatialMargins {
    /** One int for every side, one per axis (symmetric), or a (before, after) pair per axis in order. */
    public Cropping3D(int... amounts) {
        this(Margins.of("Cropping3D", "cropping", 3, amounts.length == 0 ? new int[] {0} : amounts), null);
    }

    public Cropping3D(int[][] amounts, String name) {
        super(name, 3, amounts, true);
    }

    public static Cropping3D fromConfig(Map<String, Object> c) {
        return new Cropping3D(Margins.fromConfig("Cropping3D", "cropping", 3, c.get("cropping"), 0), Config.string(c, "name", null));
    }
}
