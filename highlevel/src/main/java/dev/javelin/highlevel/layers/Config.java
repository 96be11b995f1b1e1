package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Initializers;
import dev.javelin.highlevel.regularizers.Regularizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the values of a layer config (the JSON a saved model holds). Numbers may arrive
 * as any {@link Number}; a missing or mistyped entry is an {@link IllegalArgumentException} naming
 * the key.
 */
public final class Config {
    private Config() {}

    public static int integer(Map<String, Object> c, String key, int dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (v instanceof Number n) return n.intValue();
        throw bad(key, v, "a number");
    }

    public static double number(Map<String, Object> c, String key, double dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (v instanceof Number n) return n.doubleValue();
        throw bad(key, v, "a number");
    }

    public static boolean bool(Map<String, Object> c, String key, boolean dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        throw bad(key, v, "true or false");
    }

    public static String string(Map<String, Object> c, String key, String dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (v instanceof String s) return s;
        throw bad(key, v, "a string");
    }

    /** A list of numbers as an int array; a single number becomes an array of {@code n} copies. */
    public static int[] ints(Map<String, Object> c, String key, int n, int[] dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (v instanceof Number num) {
            int[] out = new int[n];
            java.util.Arrays.fill(out, num.intValue());
            return out;
        }
        if (v instanceof List<?> l) {
            int[] out = new int[l.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(l.get(i) instanceof Number num)) throw bad(key, v, "a list of numbers");
                out[i] = num.intValue();
            }
            return out;
        }
        if (v instanceof int[] a) return a.clone();
        throw bad(key, v, "a list of numbers");
    }

    public static List<Integer> list(int[] values) {
        List<Integer> out = new ArrayList<>();
        for (int v : values) out.add(v);
        return out;
    }

    /** {@code {"class_name": ..., "config": {...}}} for an initializer. */
    public static Map<String, Object> of(Initializer init) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class_name", init.className());
        m.put("config", new LinkedHashMap<>(init.getConfig()));
        return m;
    }

    /** The same form for a regularizer; null stays null. */
    public static Map<String, Object> of(Regularizer reg) {
        if (reg == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class_name", reg.className());
        m.put("config", new LinkedHashMap<>(reg.getConfig()));
        return m;
    }

    @SuppressWarnings("unchecked")
    public static Initializer initializer(Map<String, Object> c, String key, Initializer dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (v instanceof String s) return Initializers.get(s);
        if (v instanceof Map<?, ?> m) {
            Object cfg = m.get("config");
            return Initializers.fromConfig(String.valueOf(m.get("class_name")),
                    cfg instanceof Map<?, ?> cm ? (Map<String, Object>) cm : Map.of());
        }
        throw bad(key, v, "an initializer name or {class_name, config}");
    }

    @SuppressWarnings("unchecked")
    public static Regularizer regularizer(Map<String, Object> c, String key) {
        Object v = c.get(key);
        if (v == null) return null;
        if (v instanceof Map<?, ?> m) {
            Object cfg = m.get("config");
            return Regularizer.fromConfig(String.valueOf(m.get("class_name")),
                    cfg instanceof Map<?, ?> cm ? (Map<String, Object>) cm : Map.of());
        }
        throw bad(key, v, "{class_name, config}");
    }

    private static IllegalArgumentException bad(String key, Object v, String expected) {
        return new IllegalArgumentException("layer config: '" + key + "' is " + v + ", expected " + expected);
    }
}
