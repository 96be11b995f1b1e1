package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Initializers;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.highlevel.saving.Shortened;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the values of a layer config (the JSON a saved model holds), strictly: each
 * getter checks the JSON type and the range, and a wrong one is an {@link IllegalArgumentException}
 * naming the key, the value and what was expected; never a silent default or a cast. An absent key
 * (or JSON null) gives the default; a {@code required...} getter refuses it. Integers may be written
 * as integral numbers ({@code 16.0}) but not {@code 16.9}, and must fit the stated range
 * ({@code 2^32 + 16} is not an int). Used on a {@link ConfigMap}, the getters also mark what a
 * layer knows, so unknown keys are refused too.
 *
 * <pre>{@code
 * public static Scale fromConfig(Map<String, Object> c) {
 *     return new Scale(Config.numberIn(c, "factor", 1.0, 0, 1e6), Config.string(c, "name", null));
 * }
 * }</pre>
 */
public final class Config {
    private Config() {}

    // ---- numbers ----------------------------------------------------------------------------

    /** An int; absent gives {@code dflt}. */
    public static int integer(Map<String, Object> c, String key, int dflt) {
        return integerIn(c, key, dflt, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** An int in {@code [min, max]}; absent gives {@code dflt}. */
    public static int integerIn(Map<String, Object> c, String key, int dflt, int min, int max) {
        Object v = c.get(key);
        return v == null ? dflt : (int) integral(key, v, min, max);
    }

    /** An int in {@code [min, max]} that must be present. */
    public static int requiredInteger(Map<String, Object> c, String key, int min, int max) {
        return (int) integral(key, required(c, key, "an integer in [" + min + ", " + max + "]"), min, max);
    }

    /** One config value (an element of a list, say) as an int in {@code [min, max]}; {@code key} names it in errors. */
    public static int intValue(Object value, String key, int min, int max) {
        return (int) integral(key, value, min, max);
    }

    /** A long (a seed), or null when absent. */
    public static Long optionalLong(Map<String, Object> c, String key) {
        Object v = c.get(key);
        return v == null ? null : integral(key, v, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** A finite number; absent gives {@code dflt}. */
    public static double number(Map<String, Object> c, String key, double dflt) {
        return numberIn(c, key, dflt, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /** A finite number in {@code [min, max]}; absent gives {@code dflt}. */
    public static double numberIn(Map<String, Object> c, String key, double dflt, double min, double max) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) throw bad(key, v, "a number");
        double d = n.doubleValue();
        if (d < min || d > max) throw bad(key, v, "a number in [" + min + ", " + max + "]");
        return d;
    }

    private static long integral(String key, Object v, long min, long max) {
        String expected = "an integer in [" + min + ", " + max + "]";
        long x;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            x = ((Number) v).longValue();
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            // an integral double in long range; 2^63 itself rounds into range, so compare below it
            if (d != Math.rint(d) || d < -0x1p63 || d >= 0x1p63) throw bad(key, v, expected);
            x = (long) d;
        } else {
            throw bad(key, v, expected);
        }
        if (x < min || x > max) throw bad(key, v, expected);
        return x;
    }

    // ---- other values -----------------------------------------------------------------------

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

    /** A string that must be present. */
    public static String requiredString(Map<String, Object> c, String key) {
        if (!(required(c, key, "a string") instanceof String s)) throw bad(key, c.get(key), "a string");
        return s;
    }

    /** One of {@code allowed}; absent gives {@code dflt}. */
    public static String choice(Map<String, Object> c, String key, String dflt, String... allowed) {
        String s = string(c, key, dflt);
        if (s != null && !Arrays.asList(allowed).contains(s)) throw bad(key, s, "one of " + String.join(", ", allowed));
        return s;
    }

    /**
     * A list of ints, each at least {@code min}; with {@code n > 0} it must hold {@code n} of them
     * and a single number stands for {@code n} copies, with {@code n == 0} any length. Absent gives
     * {@code dflt}.
     */
    public static int[] ints(Map<String, Object> c, String key, int n, int[] dflt, int min) {
        Object v = c.get(key);
        if (v == null) return dflt;
        String expected = (n > 0 ? n + " integers" : "a list of integers") + " >= " + min;
        if (v instanceof Number && n > 0) {
            int[] out = new int[n];
            Arrays.fill(out, (int) integral(key, v, min, Integer.MAX_VALUE));
            return out;
        }
        if (v instanceof int[] a) v = list(a);
        if (!(v instanceof List<?> l) || (n > 0 && l.size() != n)) throw bad(key, v, expected);
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (l.get(i) == null) throw bad(key, v, expected);
            try {
                out[i] = (int) integral(key, l.get(i), min, Integer.MAX_VALUE);
            } catch (IllegalArgumentException e) {
                throw bad(key, v, expected);
            }
        }
        return out;
    }

    /** A list of strings; absent gives {@code dflt}. */
    public static List<String> strings(Map<String, Object> c, String key, List<String> dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (!(v instanceof List<?> l)) throw bad(key, v, "a list of strings");
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String s)) throw bad(key, v, "a list of strings");
            out.add(s);
        }
        return out;
    }

    /** A list of finite numbers that must be present. */
    public static double[] requiredNumbers(Map<String, Object> c, String key) {
        List<?> l = requiredList(c, key);
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) throw bad(key, l, "a list of numbers");
            out[i] = n.doubleValue();
        }
        return out;
    }

    /** A finite number that must be present. */
    public static double requiredNumber(Map<String, Object> c, String key) {
        required(c, key, "a number");
        return number(c, key, 0);
    }

    /** {@link #ints(Map, String, int, int[], int)} with any int allowed. */
    public static int[] ints(Map<String, Object> c, String key, int n, int[] dflt) {
        return ints(c, key, n, dflt, Integer.MIN_VALUE);
    }

    /**
     * A batch shape {@code [null, d1, d2, ...]} (Keras's form: the batch size unknown) that must be
     * present; returns the sample dims {@code d1, d2, ...}, each at least 1.
     */
    public static int[] requiredBatchShape(Map<String, Object> c, String key) {
        return batchShape(required(c, key, "a batch shape [null, d1, ...]"), key);
    }

    /**
     * As {@link #requiredBatchShape}, where a null after the batch axis is a dimension of any size
     * ({@link InputLayer#ANY}): {@code [null, null, 16]} gives {@code [-1, 16]}.
     */
    public static int[] batchShapeWithAny(Map<String, Object> c, String key) {
        Object value = required(c, key, "a batch shape [null, d1, ...]");
        if (!(value instanceof List<?> l) || l.isEmpty() || l.get(0) != null) throw bad(key, value, "[null, d1, d2, ...] with each d >= 1 or null");
        List<Object> fixed = new java.util.ArrayList<>(l);
        for (int i = 1; i < fixed.size(); i++) if (fixed.get(i) == null) fixed.set(i, 1);
        int[] sample = batchShape(fixed, key);
        for (int i = 1; i < l.size(); i++) if (l.get(i) == null) sample[i - 1] = InputLayer.ANY;
        return sample;
    }

    /** {@code value} as a batch shape, as {@link #requiredBatchShape}; {@code key} names it in errors. */
    public static int[] batchShape(Object value, String key) {
        if (!(value instanceof List<?> l)) throw bad(key, value, "a list [null, d1, d2, ...]");
        String expected = "[null, d1, d2, ...] with each d >= 1";
        if (l.isEmpty() || l.get(0) != null) throw bad(key, l, expected);
        int[] sample = new int[l.size() - 1];
        for (int i = 0; i < sample.length; i++) {
            Object d = l.get(i + 1);
            if (d == null) throw bad(key, l, expected);
            try {
                sample[i] = (int) integral(key, d, 1, Integer.MAX_VALUE);
            } catch (IllegalArgumentException e) {
                throw bad(key, l, expected);
            }
        }
        return sample;
    }

    /** A JSON object that must be present, as a {@link ConfigMap} so its own keys can be checked. */
    public static ConfigMap requiredMap(Map<String, Object> c, String key) {
        return object(required(c, key, "an object"), key);
    }

    /** {@code value} as a JSON object, in a {@link ConfigMap}; {@code key} names it in errors. */
    @SuppressWarnings("unchecked")
    public static ConfigMap object(Object value, String key) {
        if (!(value instanceof Map<?, ?> m)) throw bad(key, value, "an object");
        for (Object k : m.keySet()) if (!(k instanceof String)) throw bad(key, m, "an object with string keys");
        return ConfigMap.of((Map<String, Object>) m);
    }

    /** A JSON array that must be present. */
    public static List<?> requiredList(Map<String, Object> c, String key) {
        if (!(required(c, key, "a list") instanceof List<?> l)) throw bad(key, c.get(key), "a list");
        return l;
    }

    public static List<Integer> list(int[] values) {
        List<Integer> out = new ArrayList<>();
        for (int v : values) out.add(v);
        return out;
    }

    // ---- initializers and regularizers ------------------------------------------------------

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

    /** An initializer by name or as {@code {class_name, config}}; its own keys are checked too. */
    public static Initializer initializer(Map<String, Object> c, String key, Initializer dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (v instanceof String s) return nested(key, () -> Initializers.get(s));
        if (v instanceof Map<?, ?>) {
            return nested(key, () -> {
                ConfigMap entry = requiredMap(c, key);
                String cls = requiredString(entry, "class_name");
                ConfigMap cfg = entry.get("config") == null ? ConfigMap.of(Map.of()) : requiredMap(entry, "config");
                kerasEnvelope(entry);
                entry.requireAllRead();
                Initializer init = Initializers.fromConfig(cls, cfg);
                cfg.requireAllRead();
                return init;
            });
        }
        throw bad(key, v, "an initializer name or {class_name, config}");
    }

    /** A regularizer as {@code {class_name, config}}, or null; its own keys are checked too. */
    public static Regularizer regularizer(Map<String, Object> c, String key) {
        Object v = c.get(key);
        if (v == null) return null;
        if (!(v instanceof Map<?, ?>)) throw bad(key, v, "{class_name, config}");
        return nested(key, () -> {
            ConfigMap entry = requiredMap(c, key);
            String cls = requiredString(entry, "class_name");
            ConfigMap cfg = entry.get("config") == null ? ConfigMap.of(Map.of()) : requiredMap(entry, "config");
            kerasEnvelope(entry);
            entry.requireAllRead();
            Regularizer r = Regularizer.fromConfig(cls, cfg);
            cfg.requireAllRead();
            return r;
        });
    }

    /**
     * Reads the two keys Keras 3 adds around every object it serializes ({@code serialize_keras_object}):
     * {@code "module"} (a Python module, e.g. {@code "keras.layers"}) and {@code "registered_name"}
     * (null for Keras's own classes, else the name it was registered under), each a string or
     * absent. Neither is needed here: the class is found by {@code class_name}.
     */
    public static void kerasEnvelope(Map<String, Object> entry) {
        string(entry, "module", null);
        string(entry, "registered_name", null);
    }

    private static <T> T nested(String key, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + key + "': " + e.getMessage(), e);
        }
    }

    // ---- errors -----------------------------------------------------------------------------

    private static Object required(Map<String, Object> c, String key, String expected) {
        Object v = c.get(key);
        if (v == null) throw new IllegalArgumentException("missing config key '" + key + "' (expected " + expected + ")");
        return v;
    }

    private static IllegalArgumentException bad(String key, Object v, String expected) {
        String shown = v instanceof String s ? "\"" + Shortened.of(s) + "\"" : Shortened.of(v);
        return new IllegalArgumentException("config key '" + Shortened.of(key) + "' is " + shown + ", expected " + expected);
    }
}
