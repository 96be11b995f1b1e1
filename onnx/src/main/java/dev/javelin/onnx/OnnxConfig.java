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
            case FLOAT -> (double) a.f();
            case INT -> a.i();
            case STRING -> a.s();
            case TENSOR -> tensor(a.t());
            case FLOATS -> { List<Object> l = new ArrayList<>(); for (float f : a.floats()) l.add((double) f); yield l; }
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
        return switch (OnnxAttribute.Kind.valueOf(kind)) {
            case FLOAT -> OnnxAttribute.ofFloat(name, ((Number) v).floatValue());
            case INT -> OnnxAttribute.ofInt(name, ((Number) v).longValue());
            case STRING -> OnnxAttribute.ofString(name, (String) v);
            case TENSOR -> OnnxAttribute.ofTensor(name, tensor(name, v));
            case FLOATS -> {
                List<?> l = (List<?>) v;
                float[] f = new float[l.size()];
                for (int i = 0; i < f.length; i++) f[i] = ((Number) l.get(i)).floatValue();
                yield OnnxAttribute.ofFloats(name, f);
            }
            case INTS -> {
                List<?> l = (List<?>) v;
                long[] f = new long[l.size()];
                for (int i = 0; i < f.length; i++) f[i] = ((Number) l.get(i)).longValue();
                yield OnnxAttribute.ofInts(name, f);
            }
            case STRINGS -> OnnxAttribute.ofStrings(name, ((List<?>) v).stream().map(String::valueOf).toList());
        };
    }

    static Map<String, Object> slot(OnnxOpLayer.Slot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", s.kind().name());
        if (s.kind() == OnnxOpLayer.Slot.Kind.CONSTANT) m.putAll(tensor(s.value()));
        if (s.kind() == OnnxOpLayer.Slot.Kind.WEIGHT) {
            m.put("dtype", s.dtype().name());
            m.put("shape", dims(s.shape()));
        }
        return m;
    }

    static OnnxOpLayer.Slot slot(String layer, Object entry) {
        if (!(entry instanceof Map<?, ?> m) || !(m.get("kind") instanceof String kind)) {
            throw new IllegalArgumentException("OnnxOpLayer '" + layer + "': an input must be {\"kind\": ...}, got " + entry);
        }
        OnnxOpLayer.Slot.Kind k = OnnxOpLayer.Slot.Kind.valueOf(kind);
        return switch (k) {
            case INPUT, OMITTED -> new OnnxOpLayer.Slot(k, null, null, null);
            case CONSTANT -> {
                Tensor t = tensor(layer, m);
                yield new OnnxOpLayer.Slot(k, t, t.shape(), t.dtype());
            }
            case WEIGHT -> new OnnxOpLayer.Slot(k, null, shape(layer, m.get("shape")), DType.valueOf(String.valueOf(m.get("dtype"))));
        };
    }

    private static Map<String, Object> tensor(Tensor t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dtype", t.dtype().name());
        m.put("shape", dims(t.shape()));
        List<Object> values = new ArrayList<>();
        if (t.dtype().isFloating()) for (double d : t.toDoubleArray()) values.add(d);
        else for (long l : t.cast(DType.INT64).toLongArray()) values.add(l);
        m.put("values", values);
        return m;
    }

    private static Tensor tensor(String name, Object entry) {
        if (!(entry instanceof Map<?, ?> m) || !(m.get("values") instanceof List<?> values)) {
            throw new IllegalArgumentException("OnnxOpLayer: constant '" + name + "' must have dtype, shape and values, got " + entry);
        }
        DType dtype = DType.valueOf(String.valueOf(m.get("dtype")));
        Shape shape = shape(name, m.get("shape"));
        if (values.size() != shape.size()) {
            throw new IllegalArgumentException("OnnxOpLayer: constant '" + name + "' has " + values.size() + " values for shape " + shape);
        }
        if (dtype.isFloating()) {
            double[] d = new double[values.size()];
            for (int i = 0; i < d.length; i++) d[i] = ((Number) values.get(i)).doubleValue();
            return Tensors.of(d, shape.toArray()).cast(dtype);
        }
        long[] l = new long[values.size()];
        for (int i = 0; i < l.length; i++) l[i] = ((Number) values.get(i)).longValue();
        return Tensors.of(l).reshape(shape.toArray()).cast(dtype);
    }

    private static Shape shape(String name, Object v) {
        if (!(v instanceof List<?> l)) throw new IllegalArgumentException("OnnxOpLayer: '" + name + "' needs a shape list, got " + v);
        int[] d = new int[l.size()];
        for (int i = 0; i < d.length; i++) d[i] = ((Number) l.get(i)).intValue();
        return Shape.of(d);
    }

    private static List<Object> dims(Shape s) {
        List<Object> l = new ArrayList<>();
        for (int d : s.toArray()) l.add(d);
        return l;
    }
}
