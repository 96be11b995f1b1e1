package dev.javelin.kernels.ir;

import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * The fused attention's arithmetic outside its tile products, defined once as kernel IR: the row passes
 * over a score tile (row maxima, softmax numerators and their sums, the softmax gradient) and the online
 * softmax's steps (rescale factors, logsumexps, output rows scaled). The CPU's tiled kernels run them generated over a tile's
 * rows; the PTX attention renders the online softmax's bodies inline, so both evaluate exp and log through
 * the IR's one decomposition. Only the loads' access differs (the CPU's operands are dense rows, the PTX
 * renderer's are registers it binds).
 *
 * <pre>{@code
 * KernelIR alpha = AttentionKernels.expDiff(Access.CONTIGUOUS);   // exp(m_old - m_new) per row
 * }</pre>
 */
public final class AttentionKernels {
    private static final DType F = DType.FLOAT32;
    private static final KernelIR.Load DENSE = new KernelIR.Load(F, Access.CONTIGUOUS), ONE = new KernelIR.Load(F, Access.BROADCAST);
    private AttentionKernels() {}

    /** {@code exp(x - y)}: the rescale factor of a running sum when its maximum grows, and a score's weight. */
    public static KernelIR expDiff(Access access) {
        return twoFloats("E_exp_sub", access, List.of(Instr.op(Op.SUB, List.of(0, 1), DType.FLOAT32),
                Instr.op(Op.EXP, List.of(2), DType.FLOAT32)));
    }

    /** {@code m + log(l)}: a row's logsumexp from its maximum and its sum of {@code exp(s - m)}. */
    public static KernelIR plusLog(Access access) {
        return twoFloats("E_add_log", access, List.of(Instr.op(Op.LOG, List.of(1), DType.FLOAT32),
                Instr.op(Op.ADD, List.of(0, 2), DType.FLOAT32)));
    }

    /** A score row's maximum: {@code R_max} over its visible scores. */
    public static KernelIR rowMax() {
        return new KernelIR("R_max", KernelIR.Mode.REDUCE_ROW, Op.REDUCE_MAX, List.of(DENSE), List.of(Instr.load(0, F)), F);
    }

    /**
     * The softmax numerators {@code exp(s·scale - shift)} of a score row, stored over the row and summed (slots: the
     * scores, the scale, the row's shift; the output is the scores' row).
     */
    public static KernelIR numerators() {
        return exponentials().reducingAndStoring(Op.REDUCE_SUM, "R_sum_exp_sub_mul");
    }

    /** {@link #numerators()} without the sum: {@code exp(s·scale - shift)} stored over a row. */
    public static KernelIR exponentials() {
        return new KernelIR("E_exp_sub_mul", KernelIR.Mode.ELEMENTWISE, null, List.of(DENSE, ONE, ONE),
                List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.MUL, List.of(0, 1), F), Instr.load(2, F),
                        Instr.op(Op.SUB, List.of(2, 3), F), Instr.op(Op.EXP, List.of(4), F)), F);
    }

    /** The softmax gradient {@code p·(dp - delta)·scale} of a row (slots: p, dp, the row's delta, the scale). */
    public static KernelIR softmaxGradient() {
        return new KernelIR("E_mul_mul_sub", KernelIR.Mode.ELEMENTWISE, null, List.of(DENSE, DENSE, ONE, ONE),
                List.of(Instr.load(0, F), Instr.load(1, F), Instr.load(2, F), Instr.op(Op.SUB, List.of(1, 2), F),
                        Instr.op(Op.MUL, List.of(0, 3), F), Instr.load(3, F), Instr.op(Op.MUL, List.of(4, 5), F)), F);
    }

    /** A row scaled by its factor, {@code x·f} (slots: the row, the row's factor): the online softmax's rescaling and 1/l. */
    public static KernelIR rowScale() {
        return new KernelIR("E_mul", KernelIR.Mode.ELEMENTWISE, null, List.of(DENSE, ONE),
                List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.MUL, List.of(0, 1), F)), F);
    }

    private static KernelIR twoFloats(String name, Access access, List<Instr> rest) {
        List<Instr> body = new ArrayList<>(List.of(Instr.load(0, DType.FLOAT32), Instr.load(1, DType.FLOAT32)));
        body.addAll(rest);
        KernelIR.Load f = new KernelIR.Load(DType.FLOAT32, access);
        return new KernelIR(name, KernelIR.Mode.ELEMENTWISE, null, List.of(f, f), body, DType.FLOAT32);
    }
}
