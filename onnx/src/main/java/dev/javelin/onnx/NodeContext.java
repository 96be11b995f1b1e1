package dev.javelin.onnx;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What an {@link OnnxOperator} sees of one node: its inputs (a missing optional input is null),
 * attributes with ONNX's defaults, the opset, and the errors that name the node. An input is
 * <em>constant</em> when its value is known while the graph is traced: an initializer, a Constant,
 * or anything computed from those and from shapes (Shape → Gather → Concat → Reshape folds so).
 */
final class NodeContext {
    /** Generated tensors (ConstantOfShape, Range, Expand of constants) larger than this are refused. */
    static final long MAX_GENERATED_ELEMENTS = 1L << 24;

    final OnnxNode node;
    final long opset;
    private final Tensor[] inputs;
    /** The inputs an operator read as numbers ({@link #ints}, {@link #doubles}, {@link #scalar}), not as tensors to compute with. */
    private final java.util.BitSet readAsNumbers = new java.util.BitSet();

    /** Which inputs are the graph's initializers as the file holds them (null: none known). */
    private final boolean[] initializers;

    NodeContext(OnnxNode node, long opset, Tensor[] inputs) {
        this(node, opset, inputs, null);
    }

    NodeContext(OnnxNode node, long opset, Tensor[] inputs, boolean[] initializers) {
        this.node = node;
        this.opset = opset;
        this.inputs = inputs;
        this.initializers = initializers;
    }

    // ---- inputs --------------------------------------------------------------------------------

    int inputCount() {
        return inputs.length;
    }

    boolean has(int i) {
        return i < inputs.length && inputs[i] != null;
    }

    Tensor input(int i) {
        if (!has(i)) throw error("input " + i + " is required but " + (i < inputs.length ? "empty" : "missing"));
        return inputs[i];
    }

    /** The input, or null when the node leaves it out. */
    Tensor optional(int i) {
        return has(i) ? inputs[i] : null;
    }

    /** Every input given (for variadic ops: Concat, Sum, Max, ...). */
    List<Tensor> all() {
        List<Tensor> list = new ArrayList<>();
        for (Tensor t : inputs) if (t != null) list.add(t);
        if (list.isEmpty()) throw error("needs at least one input");
        return list;
    }

    boolean isConstant(int i) {
        return has(i) && !inputs[i].isSymbolic();
    }

    /**
     * Whether input {@code i} is one of the graph's initializers itself (a weight of the file, not a
     * value computed from it or given by the caller): an operator may lay it out once and keep the copy.
     */
    boolean isInitializer(int i) {
        return initializers != null && i < initializers.length && initializers[i] && isConstant(i);
    }

    /** A constant integer input's values (shapes, axes, indices, pads). */
    long[] ints(int i, String what) {
        Tensor t = constant(i, what);
        if (t.dtype().isFloating() || t.dtype() == DType.BOOL) {
            throw error("input " + i + " (" + what + ") must be an integer tensor, got " + t.dtype() + t.shape());
        }
        return t.toLongArray();
    }

    /** A constant numeric input's values. */
    double[] doubles(int i, String what) {
        return constant(i, what).toDoubleArray();
    }

    /** A constant input's single value. */
    double scalar(int i, String what) {
        Tensor t = constant(i, what);
        if (t.size() != 1) throw error("input " + i + " (" + what + ") must hold one value, got shape " + t.shape());
        return t.toDoubleArray()[0];
    }

    /** Whether the operator read input {@code i} as numbers (a shape, axes, pads, scales) rather than computing with it. */
    boolean readAsNumbers(int i) {
        return readAsNumbers.get(i);
    }

    private Tensor constant(int i, String what) {
        readAsNumbers.set(i);
        Tensor t = input(i);
        if (t.isSymbolic()) {
            throw error("input " + i + " (" + what + ") must be known when the model is compiled: a constant, an initializer, or "
                    + "computed from them and from input shapes; here it depends on input data");
        }
        return t;
    }

    // ---- attributes ----------------------------------------------------------------------------

    boolean hasAttr(String name) {
        return node.attributes().containsKey(name);
    }

    private OnnxAttribute attr(String name, OnnxAttribute.Kind kind) {
        OnnxAttribute a = node.attributes().get(name);
        if (a == null) return null;
        if (a.kind() != kind) throw error("attribute '" + name + "' must be " + kind + ", got " + a.kind());
        return a;
    }

    long attrInt(String name, long defaultValue) {
        OnnxAttribute a = attr(name, OnnxAttribute.Kind.INT);
        return a == null ? defaultValue : a.i();
    }

    float attrFloat(String name, float defaultValue) {
        OnnxAttribute a = attr(name, OnnxAttribute.Kind.FLOAT);
        return a == null ? defaultValue : a.f();
    }

    String attrString(String name, String defaultValue) {
        OnnxAttribute a = attr(name, OnnxAttribute.Kind.STRING);
        return a == null ? defaultValue : a.s();
    }

    /** The ints attribute, or null when absent. */
    long[] attrInts(String name) {
        OnnxAttribute a = attr(name, OnnxAttribute.Kind.INTS);
        return a == null ? null : a.ints().clone();
    }

    float[] attrFloats(String name) {
        OnnxAttribute a = attr(name, OnnxAttribute.Kind.FLOATS);
        return a == null ? null : a.floats().clone();
    }

    /** The strings attribute, or null when absent. */
    List<String> attrStrings(String name) {
        OnnxAttribute a = attr(name, OnnxAttribute.Kind.STRINGS);
        return a == null ? null : a.strings();
    }

    Tensor attrTensor(String name) {
        OnnxAttribute a = attr(name, OnnxAttribute.Kind.TENSOR);
        return a == null ? null : a.t();
    }

    /** An attribute that must be there. */
    long requiredInt(String name) {
        if (!hasAttr(name)) throw error("attribute '" + name + "' is required");
        return attrInt(name, 0);
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** An axis in {@code [-rank, rank)} made non-negative. */
    int axis(long axis, int rank, String what) {
        if (axis < -rank || axis >= rank) throw error(what + " " + axis + " is out of range for rank " + rank);
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** Several axes made non-negative; repeats are an error. */
    int[] axes(long[] axes, int rank, String what) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) out[i] = axis(axes[i], rank, what);
        int[] sorted = out.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) if (sorted[i] == sorted[i - 1]) throw error(what + " " + Arrays.toString(axes) + " repeats an axis");
        return out;
    }

    /** A long that must fit a dimension. */
    int dim(long v, String what) {
        if (v < 0 || v > Shape.MAX_ELEMENTS) throw error(what + " " + v + " is not a valid size");
        return (int) v;
    }

    /** Refuses a tensor the node would generate that is too large to be meant. */
    void checkGenerated(Shape shape) {
        if (shape.size() > MAX_GENERATED_ELEMENTS) {
            throw error("would generate a tensor of shape " + shape + " (" + shape.size() + " elements), over the limit of "
                    + MAX_GENERATED_ELEMENTS);
        }
    }

    NodeError error(String message) {
        return new NodeError(prefix() + message, null);
    }

    String prefix() {
        return "ONNX " + node.describe() + ", opset " + opset + ": ";
    }
}
