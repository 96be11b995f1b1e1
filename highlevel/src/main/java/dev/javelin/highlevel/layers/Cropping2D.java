package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * Cuts rows and columns off the height and width of NHWC inputs (a view), as Keras's Cropping2D.
 *
 * <pre>{@code
 * new Cropping2D(0, 1, 2, 2);   // top 0, bottom 1, left 2, right 2
 * }</pre>
 */
public final class Cropping2D extends SpatialMargins {
    /** One int for every side, one per axis (symmetric), or a (before, after) pair per axis in order. */
    public Cropping2D(int... amounts) {
        this(Margins.of("Cropping2D", "cropping", 2, amounts.length == 0 ? new int[] {0} : amounts), null);
    }

    public Cropping2D(int[][] amounts, String name) {
        super(name, 2, amounts, true);
    }

    public static Cropping2D fromConfig(Map<String, Object> c) {
        return new Cropping2D(Margins.fromConfig("Cropping2D", "cropping", 2, c.get("cropping"), 0), Config.string(c, "name", null));
    }
}
