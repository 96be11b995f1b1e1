package dev.javelin.highlevel.layers;

import java.util.Map;

/**
 * Cuts steps off the start and end of [batch, steps, channels] inputs (a view), as Keras's Cropping1D.
 *
 * <pre>{@code
 * new Cropping1D(1, 2);
 * }</pre>
 */
public final class Cropping1D extends SpatialMargins {
    /** One int for every side, one per axis (symmetric), or a (before, after) pair per axis in order. */
    public Cropping1D(int... amounts) {
        this(Margins.of("Cropping1D", "cropping", 1, amounts.length == 0 ? new int[] {0} : amounts), null);
    }

    public Cropping1D(int[][] amounts, String name) {
        super(name, 1, amounts, true);
    }

    public static Cropping1D fromConfig(Map<String, Object> c) {
        return new Cropping1D(Margins.fromConfig("Cropping1D", "cropping", 1, c.get("cropping"), 0), Config.string(c, "name", null));
    }
}
