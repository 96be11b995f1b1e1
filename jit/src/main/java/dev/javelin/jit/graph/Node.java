package dev.javelin.jit.graph;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One value in the graph IR: a program input (an argument or a variable read), a constant (a
 * concrete tensor captured while tracing) or a primitive op applied to other nodes. Shapes and
 * dtypes are static: a program is specialized to the signature it was traced with.
 *
 * <p>Inputs are mutable so that rewrite passes can redirect uses ({@link Graph#replaceAllUses});
 * everything else is fixed at creation.
 */
public final class Node {
    /** What produces the value. */
    public enum Kind { ARGUMENT, VARIABLE, CONSTANT, OP }

    private final int id;
    private final Kind kind;
    private final Op op;
    private final OpAttrs attrs;
    private final Shape shape;
    private final DType dtype;
    private final Device device;
    private final List<Node> inputs;
    private final Tensor constant; // CONSTANT only
    private final int inputIndex;  // ARGUMENT: argument position; VARIABLE: variable position

    Node(int id, Kind kind, Op op, OpAttrs attrs, Shape shape, DType dtype, Device device, List<Node> inputs,
         Tensor constant, int inputIndex) {
        this.id = id;
        this.kind = kind;
        this.op = op;
        this.attrs = attrs == null ? OpAttrs.NONE : attrs;
        this.shape = shape;
        this.dtype = dtype;
        this.device = device;
        this.inputs = new ArrayList<>(inputs);
        this.constant = constant;
        this.inputIndex = inputIndex;
    }

    public int id() { return id; }
    public Kind kind() { return kind; }
    /** The primitive, for {@link Kind#OP} nodes; null otherwise. */
    public Op op() { return op; }
    public OpAttrs attrs() { return attrs; }
    /** The attributes cast to the expected record type. */
    public <A extends OpAttrs> A attrs(Class<A> type) { return type.cast(attrs); }
    public Shape shape() { return shape; }
    public long size() { return shape.size(); }
    public int rank() { return shape.rank(); }
    public DType dtype() { return dtype; }
    public Device device() { return device; }
    public List<Node> inputs() { return inputs; }
    public Node input(int i) { return inputs.get(i); }
    /** The captured value of a {@link Kind#CONSTANT}. */
    public Tensor constant() { return constant; }
    /** Position among the arguments or the variables. */
    public int inputIndex() { return inputIndex; }

    public boolean isOp() { return kind == Kind.OP; }
    public boolean isOp(Op o) { return kind == Kind.OP && op == o; }
    public boolean isView() { return kind == Kind.OP && op.isView(); }
    public boolean isConstant() { return kind == Kind.CONSTANT; }

    void setInput(int i, Node n) { inputs.set(i, n); }

    /**
     * The op as an {@link OpCall} over the given input tensors: what an engine or a backend runs,
     * and what {@link dev.javelin.tensor.spi.Views} reads a view's geometry from.
     */
    public OpCall call(List<Tensor> in) {
        return new OpCall(op, in, attrs, shape, dtype, device);
    }

    /** The op as an {@link OpCall} over shape-only stand-ins of its inputs. */
    public OpCall symbolicCall() {
        List<Tensor> in = new ArrayList<>(inputs.size());
        for (Node n : inputs) in.add(Tensor.symbolic(n.shape, n.dtype, n.device, n));
        return call(in);
    }

    /** {@code %7 = add(%3, %5) float32[4, 3]}, the line {@link Graph#toString()} prints. */
    public String describe() {
        StringBuilder sb = new StringBuilder("%").append(id).append(" = ");
        switch (kind) {
            case ARGUMENT -> sb.append("arg ").append(inputIndex);
            case VARIABLE -> sb.append("var ").append(inputIndex);
            case CONSTANT -> sb.append("const ").append(constantText());
            case OP -> {
                sb.append(op.label()).append('(');
                for (int i = 0; i < inputs.size(); i++) sb.append(i > 0 ? ", %" : "%").append(inputs.get(i).id);
                if (!(attrs instanceof OpAttrs.None)) sb.append("; ").append(attrs);
                sb.append(')');
            }
        }
        return sb.append(' ').append(dtype).append(shape).toString();
    }

    private String constantText() {
        if (constant.size() == 1) {
            double v = constant.toDoubleArray()[0];
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
        return "<" + constant.size() + " values>";
    }

    @Override
    public String toString() {
        return describe();
    }
}
