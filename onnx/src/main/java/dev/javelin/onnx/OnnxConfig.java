package dev.javelin.onnx;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link OnnxOpLayer}'s config in JSON-able values and back: attributes as {@code {"kind", "value"}},
 * inputs as {@code {"kind"}} plus, for constants, {@code "dtype"}, {@code "shape"} and (config-held
 * ones) {@code "values"}. Integers are written as integers, floats as the doubles that hold them exactly.
 */
final class OnnxConfig {
    private OnnxConfig() {}

    static Map<String, Object> attribute(OnnxAttribute a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", a.kind().name());
        m.put("value", switch (a.kind()) {
            case FLOAT -> json(a.f());
            case INT -> a.i();
            case STRING -> a.s();
            case TENSOR -> tensor(a.t());
            case FLOATS -> { List<Object> l = new ArrayList<>(); for (float f : a.floats()) l.add(json(f)); yield l; }
            case INTS -> { List<Object> l = new ArrayList<>(); for (long i : a.ints()) l.add(i); yield l; }
            case STRINGS -> List.copyOf(a.strings());
        });
        return m;
    }

    static OnnxAttribute attribute(String name, Object entry) {
        if (!(entry instanceof Map<?, ?> m) || !(m.get("kind") instanceof String kind)) {
            throw new IllegalArgumentException("OnnxOpLayer: attribute '" + name + "' must be {\"kind\", \"value\"}, got " + entry);
        }
        Object v = m.get("value");
        OnnxAttribute.Kind k = enumValue(OnnxAttribute.Kind.class, kind, "OnnxOpLayer: attribute '" + name + "': kind");
        boolean fits = switch (k) {
            case STRING -> v instanceof String;
            case FLOATS, INTS, STRINGS -> v instanceof List<?>;
            default -> true; // checked as they are read
        };
        if (!fits) throw new IllegalArgumentException("OnnxOpLayer: attribute '" + name + "' of kind " + k + " cannot hold " + v);
        return switch (k) {
            case FLOAT -> OnnxAttribute.ofFloat(name, (float) number(name, v));
            case INT -> OnnxAttribute.ofInt(name, integer(name, v));
            case STRING -> OnnxAttribute.ofString(name, (String) v);
            case TENSOR -> OnnxAttribute.ofTensor(name, tensor(name, v));
            case FLOATS -> {
                List<?> l = (List<?>) v;
                float[] f = new float[l.size()];
                for (int i = 0; i < f.length; i++) f[i] = (float) number(name, l.get(i));
                yield OnnxAttribute.ofFloats(name, f);
            }
            case INTS -> {
                List<?> l = (List<?>) v;
                long[] f = new long[l.size()];
                for (int i = 0; i < f.length; i++) f[i] = integer(name, l.get(i));
                yield OnnxAttribute.ofInts(name, f);
            }
            case STRINGS -> OnnxAttribute.ofStrings(name, ((List<?>) v).stream().map(String::valueOf).toList());
        };
    }

    static Map<String, Object> slot(OnnxOpLayer.Slot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", s.kind().name());
        if (s.kind() == OnnxOpLayer.Slot.Kind.CONSTANT) {
            m.putAll(tensor(s.value()));
        } else {
            m.put("dtype", s.dtype().name());
            m.put("shape", dims(s.shape()));
        }
        return m;
    }

    static OnnxOpLayer.Slot slot(String layer, Object entry) {
        if (!(entry instanceof Map<?, ?> m) || !(m.get("kind") instanceof String kind)) {
            throw new IllegalArgumentException("OnnxOpLayer '" + layer + "': a constant must be {\"kind\": ...}, got " + entry);
        }
        OnnxOpLayer.Slot.Kind k = enumValue(OnnxOpLayer.Slot.Kind.class, kind, "OnnxOpLayer '" + layer + "': constant kind");
        if (k == OnnxOpLayer.Slot.Kind.CONSTANT) {
            Tensor t = tensor(layer, m);
            return new OnnxOpLayer.Slot(k, t, t.shape(), t.dtype());
        }
        DType dtype = enumValue(DType.class, String.valueOf(m.get("dtype")), "OnnxOpLayer '" + layer + "': dtype");
        return new OnnxOpLayer.Slot(k, null, shape(layer, m.get("shape")), dtype);
    }

    static Map<String, Object> node(OnnxNode n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", n.name());
        m.put("op_type", n.opType());
        m.put("inputs", List.copyOf(n.inputs()));
        m.put("outputs", List.copyOf(n.outputs()));
        Map<String, Object> attrs = new LinkedHashMap<>();
        n.attributes().forEach((k, a) -> attrs.put(k, attribute(a)));
        m.put("attributes", attrs);
        return m;
    }

    static OnnxNode node(String layer, Object entry) {
        if (!(entry instanceof Map<?, ?> m) || !(m.get("op_type") instanceof String opType) || !(m.get("inputs") instanceof List<?> ins)
                || !(m.get("outputs") instanceof List<?> outs)) {
            throw new IllegalArgumentException("OnnxOpLayer '" + layer + "': a node must have 'op_type', 'inputs' and 'outputs', got " + entry);
        }
        Map<String, OnnxAttribute> attrs = new LinkedHashMap<>();
        if (m.get("attributes") instanceof Map<?, ?> am) {
            for (Map.Entry<?, ?> e : am.entrySet()) attrs.put(String.valueOf(e.getKey()), attribute(String.valueOf(e.getKey()), e.getValue()));
        }
        return new OnnxNode(String.valueOf(m.get("name")), opType, ins.stream().map(String::valueOf).toList(),
                outs.stream().map(String::valueOf).toList(), attrs);
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String name, String what) {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " '" + name + "' is not one of " + java.util.Arrays.toString(type.getEnumConstants()), e);
        }
    }

    private static Map<String, Object> tensor(Tensor t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dtype", t.dtype().name());
        m.put("shape", dims(t.shape()));
        List<Object> values = new ArrayList<>();
        if (t.dtype().isFloating()) for (double d : t.toDoubleArray()) values.add(json(d));
        else for (long l : t.cast(DType.INT64).toLongArray()) values.add(l);
        m.put("values", values);
        return m;
    }

    private static Tensor tensor(String name, Object entry) {
        if (!(entry instanceof Map<?, ?> m) || !(m.get("values") instanceof List<?> values)) {
            throw new IllegalArgumentException("OnnxOpLayer: constant '" + name + "' must have dtype, shape and values, got " + entry);
        }
        DType dtype = enumValue(DType.class, String.valueOf(m.get("dtype")), "OnnxOpLayer: constant '" + name + "': dtype");
        Shape shape = shape(name, m.get("shape"));
        if (values.size() != shape.size()) {
            throw new IllegalArgumentException("OnnxOpLayer: constant '" + name + "' has " + values.size() + " values for shape " + shape);
        }
        if (dtype.isFloating()) {
            double[] d = new double[values.size()];
            for (int i = 0; i < d.length; i++) d[i] = number(name, values.get(i));
            return Tensors.of(d, shape.toArray()).cast(dtype);
        }
        long[] l = new long[values.size()];
        for (int i = 0; i < l.length; i++) l[i] = integer(name, values.get(i));
        return Tensors.of(l).reshape(shape.toArray()).cast(dtype);
    }

    private static Shape shape(String name, Object v) {
        if (!(v instanceof List<?> l)) throw new IllegalArgumentException("OnnxOpLayer: '" + name + "' needs a shape list, got " + v);
        int[] d = new int[l.size()];
        for (int i = 0; i < d.length; i++) d[i] = Math.toIntExact(integer(name, l.get(i)));
        return Shape.of(d);
    }

    /** A float as JSON holds it: a number, or for infinities and NaN (a causal mask's -inf) the string Java writes. */
    private static Object json(double d) {
        return Double.isFinite(d) ? (Object) d : Double.toString(d);
    }

    private static double number(String name, Object v) {
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof String s && (s.equals("Infinity") || s.equals("-Infinity") || s.equals("NaN"))) return Double.parseDouble(s);
        throw new IllegalArgumentException("OnnxOpLayer: '" + name + "' needs numbers, got " + v);
    }

    private static long integer(String name, Object v) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.longValue();
        throw new IllegalArgumentException("OnnxOpLayer: '" + name + "' needs integers, got " + v);
    }

    private static List<Object> dims(Shape s) {
        List<Object> l = new ArrayList<>();
        for (int d : s.toArray()) l.add(d);
        return l;
    }
}
