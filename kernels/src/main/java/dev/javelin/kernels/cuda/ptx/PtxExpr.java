package dev.javelin.kernels.cuda.ptx;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.List;

/**
 * An elementwise expression over a kernel's inputs: what one thread computes for one output
 * element. A single op is {@code Apply(op, [Input(0), Input(1)])}; a fused chain from the JIT is a
 * deeper tree. Dtypes follow {@link dev.javelin.tensor.Ops}: comparisons give bool, WHERE gives its
 * branches' dtype, everything else its first argument's.
 *
 * <pre>{@code
 * // relu(x * w + b)
 * PtxExpr e = PtxExpr.apply(Op.RELU, PtxExpr.apply(Op.ADD, PtxExpr.apply(Op.MUL, new Input(0), new Input(1)), new Input(2)));
 * }</pre>
 */
public sealed interface PtxExpr {
    /** The element of kernel input {@code index} at this thread's position. */
    record Input(int index) implements PtxExpr {}

    /** A constant of {@code dtype}. */
    record Constant(double value, DType dtype) implements PtxExpr {}

    /** An elementwise primitive (unary, binary or WHERE) applied to sub-expressions. */
    record Apply(Op op, List<PtxExpr> args) implements PtxExpr {
        public Apply {
            args = List.copyOf(args);
            int arity = switch (op.kind()) {
                case UNARY -> 1;
                case BINARY -> 2;
                case TERNARY -> 3;
                default -> throw new IllegalArgumentException("PtxExpr: " + op.label() + " is not elementwise");
            };
            if (args.size() != arity) {
                throw new IllegalArgumentException("PtxExpr: " + op.label() + " takes " + arity + " arguments, got " + args.size());
            }
        }
    }

    /** A conversion to {@code to} with {@link Op#CAST}'s rules. */
    record Cast(PtxExpr arg, DType to) implements PtxExpr {}

    static PtxExpr apply(Op op, PtxExpr... args) {
        return new Apply(op, List.of(args));
    }

    /** The dtype this expression produces, given the kernel inputs' dtypes. */
    default DType dtype(List<DType> inputs) {
        return switch (this) {
            case Input in -> inputs.get(in.index());
            case Constant c -> c.dtype();
            case Cast c -> c.to();
            case Apply a -> a.op().isComparison() ? DType.BOOL
                    : a.op() == Op.WHERE ? a.args().get(1).dtype(inputs)
                    : a.op() == Op.LOGICAL_NOT ? DType.BOOL
                    : a.args().get(0).dtype(inputs);
        };
    }

    /** A short, stable text for kernel names and cache keys, e.g. {@code relu(add(mul(in0,in1),in2))}. */
    default String signature() {
        return switch (this) {
            case Input in -> "in" + in.index();
            case Constant c -> PtxTypes.tag(c.dtype()) + ":" + c.value();
            case Cast c -> "cast_" + PtxTypes.tag(c.to()) + "(" + c.arg().signature() + ")";
            case Apply a -> {
                StringBuilder sb = new StringBuilder(a.op().label()).append('(');
                for (int i = 0; i < a.args().size(); i++) {
                    if (i > 0) sb.append(',');
                    sb.append(a.args().get(i).signature());
                }
                yield sb.append(')').toString();
            }
        };
    }
}
