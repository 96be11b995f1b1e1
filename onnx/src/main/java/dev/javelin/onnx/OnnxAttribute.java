package dev.javelin.onnx;

import dev.javelin.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * One attribute of a node, as the file gives it. Only the field of its {@link #kind()} is set.
 *
 * <pre>{@code
 * long axis = node.attributes().get("axis").i();
 * }</pre>
 */
public record OnnxAttribute(String name, Kind kind, float f, long i, String s, Tensor t, float[] floats, long[] ints,
                            List<String> strings) {
    /** The attribute types Javelin reads; graphs (If, Loop) and sparse tensors are refused at load. */
    public enum Kind { FLOAT, INT, STRING, TENSOR, FLOATS, INTS, STRINGS }

    static OnnxAttribute ofFloat(String name, float f) { return new OnnxAttribute(name, Kind.FLOAT, f, 0, null, null, null, null, null); }
    static OnnxAttribute ofInt(String name, long i) { return new OnnxAttribute(name, Kind.INT, 0, i, null, null, null, null, null); }
    static OnnxAttribute ofString(String name, String s) { return new OnnxAttribute(name, Kind.STRING, 0, 0, s, null, null, null, null); }
    static OnnxAttribute ofTensor(String name, Tensor t) { return new OnnxAttribute(name, Kind.TENSOR, 0, 0, null, t, null, null, null); }
    static OnnxAttribute ofFloats(String name, float[] v) { return new OnnxAttribute(name, Kind.FLOATS, 0, 0, null, null, v, null, null); }
    static OnnxAttribute ofInts(String name, long[] v) { return new OnnxAttribute(name, Kind.INTS, 0, 0, null, null, null, v, null); }
    static OnnxAttribute ofStrings(String name, List<String> v) {
        return new OnnxAttribute(name, Kind.STRINGS, 0, 0, null, null, null, null, List.copyOf(v));
    }

    @Override
    public String toString() {
        return name + "=" + switch (kind) {
            case FLOAT -> String.valueOf(f);
            case INT -> String.valueOf(i);
            case STRING -> '"' + s + '"';
            case TENSOR -> "tensor " + t.dtype() + t.shape();
            case FLOATS -> Arrays.toString(floats);
            case INTS -> Arrays.toString(ints);
            case STRINGS -> strings.toString();
        };
    }
}
