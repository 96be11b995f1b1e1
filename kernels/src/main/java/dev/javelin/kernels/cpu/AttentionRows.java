package dev.javelin.kernels.cpu;

import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.List;

/**
 * The row passes of the attention kernels, each one loop over a score row instead of three or
 * four: the row maximum, the softmax numerators {@code p = exp(s·scale - shift)} with their sum, and the softmax
 * gradient {@code ds = p·(dp - delta)·scale}: kernels from the kernel IR (the same exp decomposition
 * as every other exp; without the Vector API, the same bits evaluated in plain Java). One instance per
 * thread: it holds the broadcast operands.
 *
 * <pre>{@code
 * AttentionRows rows = new AttentionRows();
 * float l = rows.expSum(s, 0, 128, 0.125f, rowMax);   // s[0..128) = exp(s * 0.125 - rowMax), l = their sum
 * }</pre>
 */
final class AttentionRows {
    private static final int[][] NO_MAPS = new int[5][];
    private final float[] scale = new float[1], shift = new float[1];
    // each pass's arguments, kept: the kernels are called once per score row
    private final Object[] maxArgs = new Object[1], expArgs = {null, scale, shift, null}, gradientArgs = {null, null, shift, scale, null};
    private final int[] maxOffsets = new int[1], expOffsets = new int[4], gradientOffsets = new int[5];

    /**
     * The largest of {@code x[xo..xo+n)} (-inf for none): the kernel {@code FloatLoops.reduce(REDUCE_MAX, ...)} runs,
     * called directly (a score row is a few vectors, so the eager path's per-call lookups cost as much as the row).
     */
    float max(float[] x, int xo, int n) {
        if (n == 0) return Float.NEGATIVE_INFINITY;
        maxArgs[0] = x;
        maxOffsets[0] = xo;
        return Math.max(Float.NEGATIVE_INFINITY, Kernels.MAX.reduce(maxArgs, maxOffsets, NO_MAPS, n));
    }

    /** {@code x[i] = exp(x[i] * scale - shift)} for {@code i < n}, dense from {@code xo}; returns their sum. */
    float expSum(float[] x, int xo, int n, float scale, float shift) {
        if (n == 0) return 0f;
        this.scale[0] = scale;
        this.shift[0] = shift;
        expArgs[0] = expArgs[3] = x;
        expOffsets[0] = expOffsets[3] = xo;
        return Kernels.EXP_SUM.reduce(expArgs, expOffsets, NO_MAPS, n);
    }

    /** {@code g[i] = p[i] * (g[i] - delta) * scale} for {@code i < n}, both dense. */
    void softmaxGradient(float[] p, int po, float[] g, int go, int n, float delta, float scale) {
        if (n == 0) return;
        this.shift[0] = delta;
        this.scale[0] = scale;
        gradientArgs[0] = p;
        gradientArgs[1] = gradientArgs[4] = g;
        gradientOffsets[0] = po;
        gradientOffsets[1] = gradientOffsets[4] = go;
        Kernels.GRADIENT.run(gradientArgs, gradientOffsets, NO_MAPS, n);
    }

    /** Made on first use. */
    private static final class Kernels {
        static final FusedKernel EXP_SUM, GRADIENT, MAX;

        static {
            KernelIR.Load dense = new KernelIR.Load(DType.FLOAT32, Access.CONTIGUOUS);
            KernelIR.Load one = new KernelIR.Load(DType.FLOAT32, Access.BROADCAST);
            KernelIR exp = new KernelIR("E_exp_sub_mul", KernelIR.Mode.ELEMENTWISE, null, List.of(dense, one, one),
                    List.of(Instr.load(0, DType.FLOAT32), Instr.load(1, DType.FLOAT32), Instr.op(Op.MUL, List.of(0, 1), DType.FLOAT32),
                            Instr.load(2, DType.FLOAT32), Instr.op(Op.SUB, List.of(2, 3), DType.FLOAT32),
                            Instr.op(Op.EXP, List.of(4), DType.FLOAT32)), DType.FLOAT32);
            EXP_SUM = GeneratedLoops.compile(exp.reducingAndStoring(Op.REDUCE_SUM, "R_sum_exp_sub_mul"));
            KernelIR grad = new KernelIR("E_mul_mul_sub", KernelIR.Mode.ELEMENTWISE, null, List.of(dense, dense, one, one),
                    List.of(Instr.load(0, DType.FLOAT32), Instr.load(1, DType.FLOAT32), Instr.load(2, DType.FLOAT32),
                            Instr.op(Op.SUB, List.of(1, 2), DType.FLOAT32), Instr.op(Op.MUL, List.of(0, 3), DType.FLOAT32),
                            Instr.load(3, DType.FLOAT32), Instr.op(Op.MUL, List.of(4, 5), DType.FLOAT32)), DType.FLOAT32);
            GRADIENT = GeneratedLoops.compile(grad);
            MAX = GeneratedLoops.compile(new KernelIR("R_max", KernelIR.Mode.REDUCE_ROW, Op.REDUCE_MAX, List.of(dense),
                    List.of(Instr.load(0, DType.FLOAT32)), DType.FLOAT32));
        }
    }
}
