package dev.javelin.jit.ptx;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * A fused group as the PTX renderer needs it: the inputs' dtypes and a program in SSA form (step
 * {@code i} uses only results of earlier steps; the last step is the result), either stored per
 * element ({@link Kind#ELEMENTWISE}) or reduced with {@code reduceOp} over the reduced dimensions
 * ({@link Kind#REDUCE}: the elementwise prologue of a reduction, e.g. {@code sum(exp(x - max))}).
 * Layouts (shapes, strides, offsets) are launch parameters, not part of the group, so one kernel
 * serves every shape of a rank. This is the device-neutral shape of the JIT's fused kernels; the
 * adapter from the JIT's own IR is described in {@code package-info.java}.
 *
 * <pre>{@code
 * // relu(x * w + b), three float32 inputs
 * FusedGroup g = new FusedGroup("E_mul_add_relu", FusedGroup.Kind.ELEMENTWISE, null,
 *         List.of(FLOAT32, FLOAT32, FLOAT32),
 *         List.of(new Load(0), new Load(1), new Apply(Op.MUL, List.of(0, 1)), new Load(2),
 *                 new Apply(Op.ADD, List.of(2, 3)), new Apply(Op.RELU, List.of(4))));
 * }</pre>
 *
 * @param name     a readable name (sanitized into the kernel name)
 * @param kind     elementwise or a reduction
 * @param reduceOp REDUCE_SUM, REDUCE_MAX or REDUCE_MIN for {@link Kind#REDUCE}, else null
 * @param inputs   the dtype of each input slot
 * @param steps    the program; the last step is the result
 */
public record FusedGroup(String name, Kind kind, Op reduceOp, List<DType> inputs, List<Step> steps) {
    public enum Kind { ELEMENTWISE, REDUCE }

    /** One SSA step. */
    public sealed interface Step {}

    /** The element of input {@code input} at the current position. */
    public record Load(int input) implements Step {}

    /** A constant. */
    public record Const(double value, DType dtype) implements Step {}

    /** An elementwise primitive over earlier steps' results. */
    public record Apply(Op op, List<Integer> args) implements Step {
        public Apply {
            args = List.copyOf(args);
        }
    }

    /** CAST of an earlier result to {@code to}. */
    public record Cast(int arg, DType to) implements Step {}

    public FusedGroup {
        inputs = List.copyOf(inputs);
        steps = List.copyOf(steps);
        if (steps.isEmpty()) throw new IllegalArgumentException("FusedGroup " + name + ": empty program");
        if ((kind == Kind.REDUCE) != (reduceOp != null)
                || (reduceOp != null && reduceOp != Op.REDUCE_SUM && reduceOp != Op.REDUCE_MAX && reduceOp != Op.REDUCE_MIN)) {
            throw new IllegalArgumentException("FusedGroup " + name + ": kind " + kind + " with reduceOp " + reduceOp
                    + "; expected REDUCE_SUM, REDUCE_MAX or REDUCE_MIN exactly for REDUCE");
        }
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            List<Integer> uses = switch (s) {
                case Load l -> {
                    if (l.input() < 0 || l.input() >= inputs.size()) {
                        throw new IllegalArgumentException("FusedGroup " + name + ": step " + i + " loads input " + l.input()
                                + " of " + inputs.size());
                    }
                    yield List.of();
                }
                case Const c -> List.of();
                case Apply a -> {
                    if (!a.op().isElementwise() || a.op() == Op.CAST) {
                        throw new IllegalArgumentException("FusedGroup " + name + ": step " + i + " applies " + a.op().label()
                                + ", which is not an elementwise primitive");
                    }
                    yield a.args();
                }
                case Cast c -> List.of(c.arg());
            };
            for (int u : uses) {
                if (u < 0 || u >= i) {
                    throw new IllegalArgumentException("FusedGroup " + name + ": step " + i + " uses %" + u + ", expected an earlier step");
                }
            }
        }
    }

    /** The canonical text of the program: equal keys render to the same PTX. */
    public String key() {
        StringBuilder sb = new StringBuilder(kind.name());
        if (reduceOp != null) sb.append(' ').append(reduceOp.label());
        sb.append(" inputs ").append(inputs).append('\n');
        List<String> lines = new ArrayList<>();
        for (Step s : steps) {
            lines.add(switch (s) {
                case Load l -> "load " + l.input();
                case Const c -> "const " + c.dtype() + " " + c.value();
                case Apply a -> a.op().label() + " " + a.args();
                case Cast c -> "cast " + c.arg() + " " + c.to();
            });
        }
        for (int i = 0; i < lines.size(); i++) sb.append('%').append(i).append(" = ").append(lines.get(i)).append('\n');
        return sb.toString();
    }
}
