package dev.javelin.kernels.ir;

import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * The transcendental steps of the fused attention's online softmax, defined once as kernel IR: the
 * CPU's tiled kernels run them generated over a tile's rows, and the PTX attention renders the same
 * bodies inline, so both evaluate exp and log through the IR's one decomposition. Only the loads'
 * access differs (the CPU's operands are dense rows, the PTX renderer's are registers it binds).
 *
 * <pre>{@code
 * KernelIR alpha = AttentionKernels.expDiff(Access.CONTIGUOUS);   // exp(m_old - m_new) per row
 * }</pre>
 */
public final class AttentionKernels {
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

    private static KernelIR twoFloats(String name, Access access, List<Instr> rest) {
        List<Instr> body = new ArrayList<>(List.of(Instr.load(0, DType.FLOAT32), Instr.load(1, DType.FLOAT32)));
        body.addAll(rest);
        KernelIR.Load f = new KernelIR.Load(DType.FLOAT32, access);
        return new KernelIR(name, KernelIR.Mode.ELEMENTWISE, null, List.of(f, f), body, DType.FLOAT32);
    }
}
