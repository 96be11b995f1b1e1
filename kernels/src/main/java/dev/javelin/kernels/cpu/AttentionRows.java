package dev.javelin.kernels.cpu;

import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.ir.AttentionKernels;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.Arrays;
import java.util.List;

/**
 * The row passes of the attention kernels over a whole score tile: the row maxima, the softmax numerators
 * {@code p = exp(s·scale - shift)} with their row sums, and the softmax gradient {@code ds = p·(dp - delta)·scale};
 * and the online softmax's per-row steps, the rescale factors {@code exp(m_old - m_new)} and the logsumexps
 * {@code m + log l} ({@link AttentionKernels}, the PTX attention's definitions), one generated call per tile's rows.
 * The exp is the kernel IR's (the same decomposition as every other exp): with the Vector API one generated
 * elementwise call covers the tile and {@link AttentionRowsVector} does the arithmetic around it and sums each
 * row in the generated row reduction's order; without it each row is one call of the fused kernels below,
 * evaluated in plain Java. Both give the bits of one {@code R_sum_exp_sub_mul} call per row. A tile's row
 * stride is {@link #stride} (whole vectors). One instance per thread: it holds the kernels' argument arrays.
 *
 * <pre>{@code
 * AttentionRows rows = new AttentionRows();
 * rows.rowMax(s, 16, 128, visible, max);                        // max[r] over row r's visible[r] scores
 * rows.numerators(s, 16, 128, visible, 0.125f, max, sums);      // s = exp(s * 0.125 - max), 0 past visible
 * }</pre>
 */
final class AttentionRows {
    private static final boolean VECTOR = VectorSupport.enabled();
    private static final int[][] NO_MAPS = new int[5][];
    private final float[] scale = new float[1], shift = new float[1];
    // each kernel's arguments, kept: without the Vector API the kernels are called once per score row
    private final Object[] maxArgs = new Object[1], expArgs = {null, scale, shift, null}, gradientArgs = {null, null, shift, scale, null},
            tileArgs = new Object[2], pairArgs = new Object[3];
    private final int[] maxOffsets = new int[1], expOffsets = new int[4], gradientOffsets = new int[5], tileOffsets = new int[2],
            pairOffsets = new int[3];
    private final boolean vector;

    AttentionRows() {
        this(true);
    }

    /** {@code vector = false}: one fused kernel call per row even where the Vector API is there (what tests compare with). */
    AttentionRows(boolean vector) {
        this.vector = vector && VECTOR;
    }

    /** The row stride of a tile of {@code cols} scores a row: whole vectors, so that no pass reads a partial one. */
    static int stride(int cols) {
        int lanes = VectorSupport.lanes();
        return (cols + lanes - 1) / lanes * lanes;
    }

    /** {@code max[r]}: the largest of row r's first {@code visible[r]} scores (-inf for none). */
    void rowMax(float[] s, int rows, int ld, int[] visible, float[] max) {
        if (vector) {
            AttentionRowsVector.rowMax(s, rows, ld, visible, max);
            return;
        }
        for (int r = 0; r < rows; r++) {
            if (visible[r] == 0) {
                max[r] = Float.NEGATIVE_INFINITY;
                continue;
            }
            maxArgs[0] = s;
            maxOffsets[0] = r * ld;
            max[r] = Math.max(Float.NEGATIVE_INFINITY, Kernels.MAX.reduce(maxArgs, maxOffsets, NO_MAPS, visible[r]));
        }
    }

    /**
     * The softmax numerators of rows [0, rows): {@code s[r][j] = exp(s[r][j]·scale - shift[r])} for {@code j < visible[r]},
     * 0 from there to {@code ld}; a row whose shift is -inf is all 0. With {@code sums} not null, {@code sums[r]} is the
     * row's sum (0 for such a row).
     */
    void numerators(float[] s, int rows, int ld, int[] visible, float scale, float[] shift, float[] sums) {
        if (vector) {
            AttentionRowsVector.exponents(s, rows, ld, visible, scale, shift);
            tileArgs[0] = tileArgs[1] = s;
            Kernels.EXP.run(tileArgs, tileOffsets, NO_MAPS, rows * ld);
            if (sums != null) for (int r = 0; r < rows; r++) sums[r] = AttentionRowsVector.sum(s, r * ld, visible[r]);
            return;
        }
        for (int r = 0; r < rows; r++) {
            int o = r * ld, n = shift[r] == Float.NEGATIVE_INFINITY ? 0 : visible[r];
            float sum = n == 0 ? 0f : expSum(s, o, n, scale, shift[r]);
            Arrays.fill(s, o + n, o + ld, 0f);
            if (sums != null) sums[r] = sum;
        }
    }

    /** {@code ds[r][j] = p[r][j]·(ds[r][j] - delta[d0 + r])·scale} for {@code j < cols}, rows {@code ld} apart. */
    void softmaxGradient(float[] p, float[] ds, int rows, int ld, int cols, float[] delta, int d0, float scale) {
        if (vector) {
            AttentionRowsVector.softmaxGradient(p, ds, rows, ld, cols, delta, d0, scale);
            return;
        }
        if (cols == 0) return;
        this.scale[0] = scale;
        gradientArgs[0] = p;
        gradientArgs[1] = gradientArgs[4] = ds;
        for (int r = 0; r < rows; r++) {
            shift[0] = delta[d0 + r];
            gradientOffsets[0] = gradientOffsets[1] = gradientOffsets[4] = r * ld;
            Kernels.GRADIENT.run(gradientArgs, gradientOffsets, NO_MAPS, cols);
        }
    }

    /** {@code out[i] = exp(x[i] - y[i])} for {@code i < n}: the IR's exp, the PTX attention's too (the rescale factors, merge weights). */
    void expDiff(float[] x, float[] y, float[] out, int n) {
        pairArgs[0] = x;
        pairArgs[1] = y;
        pairArgs[2] = out;
        Kernels.EXP_DIFF.run(pairArgs, pairOffsets, NO_MAPS, n);
    }

    /** {@code out[i] = m[i] + log(l[i])} for {@code i < n}: the IR's log, the PTX attention's too (the rows' logsumexps). */
    void plusLog(float[] m, float[] l, float[] out, int n) {
        pairArgs[0] = m;
        pairArgs[1] = l;
        pairArgs[2] = out;
        Kernels.PLUS_LOG.run(pairArgs, pairOffsets, NO_MAPS, n);
    }

    /** {@code x[i] = exp(x[i] * scale - shift)} for {@code i < n}, dense from {@code xo}; returns their sum. */
    private float expSum(float[] x, int xo, int n, float scale, float shift) {
        this.scale[0] = scale;
        this.shift[0] = shift;
        expArgs[0] = expArgs[3] = x;
        expOffsets[0] = expOffsets[3] = xo;
        return Kernels.EXP_SUM.reduce(expArgs, expOffsets, NO_MAPS, n);
    }

    /** Made on first use. */
    private static final class Kernels {
        static final FusedKernel EXP_SUM, EXP, GRADIENT, MAX, EXP_DIFF, PLUS_LOG;

        static {
            KernelIR.Load dense = new KernelIR.Load(DType.FLOAT32, Access.CONTIGUOUS);
            KernelIR.Load one = new KernelIR.Load(DType.FLOAT32, Access.BROADCAST);
            KernelIR exp = new KernelIR("E_exp_sub_mul", KernelIR.Mode.ELEMENTWISE, null, List.of(dense, one, one),
                    List.of(Instr.load(0, DType.FLOAT32), Instr.load(1, DType.FLOAT32), Instr.op(Op.MUL, List.of(0, 1), DType.FLOAT32),
                            Instr.load(2, DType.FLOAT32), Instr.op(Op.SUB, List.of(2, 3), DType.FLOAT32),
                            Instr.op(Op.EXP, List.of(4), DType.FLOAT32)), DType.FLOAT32);
            EXP_SUM = GeneratedLoops.compile(exp.reducingAndStoring(Op.REDUCE_SUM, "R_sum_exp_sub_mul"));
            EXP = GeneratedLoops.compile(new KernelIR("E_exp", KernelIR.Mode.ELEMENTWISE, null, List.of(dense),
                    List.of(Instr.load(0, DType.FLOAT32), Instr.op(Op.EXP, List.of(0), DType.FLOAT32)), DType.FLOAT32));
            KernelIR grad = new KernelIR("E_mul_mul_sub", KernelIR.Mode.ELEMENTWISE, null, List.of(dense, dense, one, one),
                    List.of(Instr.load(0, DType.FLOAT32), Instr.load(1, DType.FLOAT32), Instr.load(2, DType.FLOAT32),
                            Instr.op(Op.SUB, List.of(1, 2), DType.FLOAT32), Instr.op(Op.MUL, List.of(0, 3), DType.FLOAT32),
                            Instr.load(3, DType.FLOAT32), Instr.op(Op.MUL, List.of(4, 5), DType.FLOAT32)), DType.FLOAT32);
            GRADIENT = GeneratedLoops.compile(grad);
            MAX = GeneratedLoops.compile(new KernelIR("R_max", KernelIR.Mode.REDUCE_ROW, Op.REDUCE_MAX, List.of(dense),
                    List.of(Instr.load(0, DType.FLOAT32)), DType.FLOAT32));
            EXP_DIFF = GeneratedLoops.compile(AttentionKernels.expDiff(Access.CONTIGUOUS));
            PLUS_LOG = GeneratedLoops.compile(AttentionKernels.plusLog(Access.CONTIGUOUS));
        }
    }
}
