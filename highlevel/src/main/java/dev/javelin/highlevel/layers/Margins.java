package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.saving.Shortened;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code (before, after)} amounts per spatial axis of the ZeroPadding and Cropping layers, in
 * Keras's spellings: one int for every side, one int per axis (symmetric), or a pair per axis.
 */
final class Margins {
    private Margins() {}

    /** {@code [axes][2]} from 1 int (all sides), {@code axes} ints (symmetric) or {@code 2 * axes} ints (pairs in order). */
    static int[][] of(String layer, String argument, int axes, int... v) {
        int[][] m = new int[axes][2];
        for (int a = 0; a < axes; a++) {
            if (v.length == 1) m[a] = new int[] {v[0], v[0]};
            else if (v.length == axes) m[a] = new int[] {v[a], v[a]};
            else if (v.length == 2 * axes) m[a] = new int[] {v[2 * a], v[2 * a + 1]};
            else throw new IllegalArgumentException(layer + ": " + argument + " must be 1, " + axes + " or " + 2 * axes + " ints, got "
                    + Arrays.toString(v));
            if (m[a][0] < 0 || m[a][1] < 0) throw new IllegalArgumentException(layer + ": " + argument + " must be >= 0, got " + Arrays.toString(v));
        }
        return m;
    }

    /** The same from a saved config value: a number, a list of numbers, or a list of pairs. */
    static int[][] fromConfig(String layer, String argument, int axes, Object value, int dflt) {
        if (value == null) return of(layer, argument, axes, dflt);
        // strict: 16.9 or 2^32 + 16 is an error, not 16
        if (value instanceof Number n) return of(layer, argument, axes, Config.intValue(n, argument, 0, Integer.MAX_VALUE));
        if (value instanceof List<?> l) {
            List<Integer> flat = new ArrayList<>();
            for (Object o : l) {
                if (o instanceof Number n) flat.add(Config.intValue(n, argument, 0, Integer.MAX_VALUE));
                else if (o instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof Number a && pair.get(1) instanceof Number b) {
                    flat.add(Config.intValue(a, argument, 0, Integer.MAX_VALUE));
                    flat.add(Config.intValue(b, argument, 0, Integer.MAX_VALUE));
                } else {
                    throw bad(layer, argument, value);
                }
            }
            return of(layer, argument, axes, flat.stream().mapToInt(Integer::intValue).toArray());
        }
        throw bad(layer, argument, value);
    }

    /** Keras's saved form: {@code [before, after]} for one axis, else {@code [[before, after], ...]}. */
    static List<?> toConfig(int[][] m) {
        if (m.length == 1) return List.of(m[0][0], m[0][1]);
        List<List<Integer>> out = new ArrayList<>();
        for (int[] p : m) out.add(List.of(p[0], p[1]));
        return out;
    }

    private static IllegalArgumentException bad(String layer, String argument, Object value) {
        return new IllegalArgumentException(layer + ": config '" + argument + "' is " + Shortened.of(value) + ", expected a number, a list of numbers "
                + "or a list of [before, after] pairs");
    }
}
