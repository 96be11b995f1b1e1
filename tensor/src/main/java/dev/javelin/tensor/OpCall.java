package dev.javelin.tensor;

import java.util.List;

/**
 * One application of a primitive op: what passes through the dispatch seam. The output's shape,
 * dtype and device were inferred and checked by {@link Ops} before any engine sees the call, so an
 * engine may run it ({@link dev.javelin.tensor.spi.EagerEngine}), record it (the JIT's tracer) or
 * only propagate shapes ({@link dev.javelin.tensor.spi.SymbolicEngine}).
 *
 * @param op     the primitive
 * @param inputs tensor operands, in the order documented on {@link Op}
 * @param attrs  non-tensor arguments, normalized
 * @param shape  the output's shape
 * @param dtype  the output's dtype
 * @param device the device of every input and of the output
 */
public record OpCall(Op op, List<Tensor> inputs, OpAttrs attrs, Shape shape, DType dtype, Device device) {
    /** Copies the input list. */
    public OpCall {
        inputs = List.copyOf(inputs);
    }

    /** Input {@code i}. */
    public Tensor input(int i) {
        return inputs.get(i);
    }

    /** The attributes cast to the expected record type. */
    public <A extends OpAttrs> A attrs(Class<A> type) {
        return type.cast(attrs);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(op.label()).append('(');
        for (int i = 0; i < inputs.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(inputs.get(i).dtype()).append(inputs.get(i).shape());
        }
        if (!(attrs instanceof OpAttrs.None)) sb.append("; ").append(attrs);
        return sb.append(") -> ").append(dtype).append(shape).toString();
    }
}
