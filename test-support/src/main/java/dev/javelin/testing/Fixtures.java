package dev.javelin.testing;

import dev.javelin.json.Json;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the PyTorch reference fixtures committed under {@code src/test/resources/fixtures/} (written
 * by {@code test-support/src/test/python/make_fixtures.py}). A fixture file is {@code {"cases": [...]}};
 * each case is an object with a {@code "name"}, and tensors as {@code {"shape": [..], "dtype":
 * "float32", "data": [row-major values]}} next to plain attributes (numbers, strings, lists).
 *
 * <pre>{@code
 * Fixtures.Case c = Fixtures.find("fixtures/grad_fixtures.json", "matmul_plain");
 * Tensor a = c.tensor("a"), b = c.tensor("b"), dy = c.tensor("dy");
 * TensorAssert.assertClose(c.tensor("out"), a.matmul(b), 1e-12, 1e-12);
 * // ... then the tape's gradients against c.tensor("grad_a") and c.tensor("grad_b")
 * }</pre>
 */
public final class Fixtures {
    private Fixtures() {}

    /** All cases of a fixture file on the class path (e.g. {@code fixtures/grad_fixtures.json}). */
    @SuppressWarnings("unchecked")
    public static List<Case> load(String resource) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) cl = Fixtures.class.getClassLoader();
        try (InputStream in = cl.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("Fixtures: no resource " + resource + " on the class path");
            Map<String, Object> root = (Map<String, Object>) Json.parsePython(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            List<Case> cases = new ArrayList<>();
            for (Object o : (List<Object>) root.get("cases")) cases.add(new Case((Map<String, Object>) o));
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException("Fixtures: cannot read " + resource, e);
        }
    }

    /** The case named {@code name} in {@code resource}. */
    public static Case find(String resource, String name) {
        for (Case c : load(resource)) if (c.name().equals(name)) return c;
        throw new IllegalArgumentException("Fixtures: no case '" + name + "' in " + resource);
    }

    /** One fixture case: named tensors and attributes. */
    public record Case(Map<String, Object> fields) {
        public String name() {
            return (String) fields.get("name");
        }

        public boolean has(String key) {
            return fields.containsKey(key) && fields.get(key) != null;
        }

        /** The tensor stored under {@code key}, as a dense tensor of its dtype. */
        @SuppressWarnings("unchecked")
        public Tensor tensor(String key) {
            Object o = require(key);
            if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("Fixtures: '" + key + "' of " + name() + " is not a tensor");
            return toTensor((Map<String, Object>) m, key);
        }

        public double number(String key) {
            return ((Number) require(key)).doubleValue();
        }

        public int integer(String key) {
            return (int) number(key);
        }

        public boolean bool(String key) {
            return (Boolean) require(key);
        }

        public String string(String key) {
            return (String) require(key);
        }

        /** A list of numbers as ints, e.g. axes or strides. */
        public int[] ints(String key) {
            List<?> l = (List<?>) require(key);
            int[] out = new int[l.size()];
            for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).intValue();
            return out;
        }

        /** A list of lists of numbers as int[][], e.g. padding pairs. */
        public int[][] intPairs(String key) {
            List<?> l = (List<?>) require(key);
            int[][] out = new int[l.size()][];
            for (int i = 0; i < out.length; i++) {
                List<?> row = (List<?>) l.get(i);
                out[i] = new int[row.size()];
                for (int j = 0; j < row.size(); j++) out[i][j] = ((Number) row.get(j)).intValue();
            }
            return out;
        }

        private Object require(String key) {
            if (!fields.containsKey(key)) throw new IllegalArgumentException("Fixtures: case " + name() + " has no '" + key + "'");
            return fields.get(key);
        }

        @Override
        public String toString() {
            return name();
        }

        private Tensor toTensor(Map<String, Object> m, String key) {
            List<?> dims = (List<?>) m.get("shape");
            int[] d = new int[dims.size()];
            for (int i = 0; i < d.length; i++) d[i] = ((Number) dims.get(i)).intValue();
            DType dt = DType.valueOf(((String) m.get("dtype")).toUpperCase(java.util.Locale.ROOT));
            List<?> data = (List<?>) m.get("data");
            Shape shape = Shape.of(d);
            if (data.size() != shape.size()) {
                throw new IllegalArgumentException("Fixtures: '" + key + "' of " + name() + " has " + data.size() + " values for " + shape);
            }
            HeapStorage h = HeapStorage.allocate(dt, data.size());
            for (int i = 0; i < data.size(); i++) {
                Object v = data.get(i);
                double x = v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
                if (dt.isInteger()) h.setLong(i, (long) x);
                else h.setDouble(i, x);
            }
            return Tensor.wrap(h, shape);
        }
    }
}
