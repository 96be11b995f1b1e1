package dev.javelin.kernels.cpu;

import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.ir.AttentionKernels;
import dev.javelin.kernels.ir.KernelIR.Access;
import java.util.Arrays;

/**
 * The row passes of the attention kernels over a whole score tile: the row maxima, the softmax numerators
 * {@code p = exp(s·scale - shift)} with their row sums, and the softmax gradient {@code ds = p·(dp - delta)·scale};
 * and the online softmax's per-row steps, the rescale factors {@code exp(m_old - m_new)}, the logsumexps
 * {@code m + log l} and the output rows' scaling ({@link AttentionKernels}, the PTX attention's definitions). Each pass is one call of a kernel
 * generated from the IR over the tile's rows: the maxima and the numerators are a row reduction's loop over rows of
 * their own lengths ({@link FusedKernel#reduceRows}: a causal row's visible keys), the gradient the elementwise row
 * loop ({@link FusedKernel#runRows}), each per-row value a broadcast slot that moves with the row. So the exp is
 * the IR's one decomposition and each row's bits are those of one {@code R_sum_exp_sub_mul} call on it. A tile's
 * row stride is {@link #stride} (whole vectors). One instance per thread: it holds the kernels' argument arrays.
 *
 * <pre>{@code
 * AttentionRows rows = new AttentionRows();
 * rows.rowMax(s, 16, 128, visible, max);                        // max[r] over row r's visible[r] scores
 * rows.numerators(s, 16, 128, visible, 0.125f, max, 0, sums);   // s = exp(s * 0.125 - max), 0 past visible
 * }</pre>
 */
final class AttentionRows {
    private static final int[][] NO_MAPS = new int[5][];
    private final float[] scale = new float[1];
    // each kernel's arguments, kept: the arrays change per call, the offsets and row strides per tile
    private final Object[] maxArgs = new Object[1], expArgs = {null, scale, null, null}, gradientArgs = {null, null, null, scale, null},
            pairArgs = new Object[3], scaleArgs = new Object[3];
    private final int[] maxOffsets = new int[1], maxStrides = new int[1], expOffsets = new int[4], expStrides = {0, 0, 1, 0},
            gradientOffsets = new int[5], gradientStrides = {0, 0, 1, 0, 0}, pairOffsets = new int[3],
            scaleOffsets = new int[3], scaleStrides = {0, 1, 0};
    private int[] lengths = new int[0];

    /** The row stride of a tile of {@code cols} scores a row: whole vectors, so that no pass reads a partial one. */
    static int stride(int cols) {
        int lanes = VectorSupport.lanes();
        return (cols + lanes - 1) / lanes * lanes;
    }

    /** {@code max[r]}: the largest of row r's first {@code visible[r]} scores (-inf for none). */
    void rowMax(float[] s, int rows, int ld, int[] visible, float[] max) {
        maxArgs[0] = s;
        maxStrides[0] = ld;
        Kernels.MAX.reduceRows(maxArgs, maxOffsets, NO_MAPS, visible, maxStrides, rows, max);
    }

    /**
     * The softmax numerators of rows [0, rows): {@code s[r][j] = exp(s[r][j]·scale - shift[s0 + r])} for {@code j < visible[r]},
     * 0 from there to {@code ld}; a row whose shift is -inf is all 0. With {@code sums} not null, {@code sums[r]} is the
     * row's sum (0 for such a row).
     */
    void numerators(float[] s, int rows, int ld, int[] visible, float scale, float[] shift, int s0, float[] sums) {
        if (lengths.length < rows) lengths = new int[rows];
        for (int r = 0; r < rows; r++) lengths[r] = shift[s0 + r] == Float.NEGATIVE_INFINITY ? 0 : visible[r];
        this.scale[0] = scale;
        expArgs[0] = expArgs[3] = s;
        expArgs[2] = shift;
        expOffsets[2] = s0;
        expStrides[0] = expStrides[3] = ld;
        if (sums == null) { // no sums: whole rows of whole vectors, one unmasked loop each, then the masked entries zeroed
            Kernels.EXP.runRows(expArgs, expOffsets, NO_MAPS, ld, expStrides, rows);
        } else {
            Kernels.EXP_SUM.reduceRows(expArgs, expOffsets, NO_MAPS, lengths, expStrides, rows, sums);
        }
        for (int r = 0; r < rows; r++) Arrays.fill(s, r * ld + lengths[r], (r + 1) * ld, 0f);
    }

    /** {@code ds[r][j] = p[r][j]·(ds[r][j] - delta[d0 + r])·scale} for {@code j < cols}, rows {@code ld} apart. */
    void softmaxGradient(float[] p, float[] ds, int rows, int ld, int cols, float[] delta, int d0, float scale) {
        if (cols == 0) return;
        this.scale[0] = scale;
        gradientArgs[0] = p;
        gradientArgs[1] = gradientArgs[4] = ds;
        gradientArgs[2] = delta;
        gradientOffsets[2] = d0;
        gradientStrides[0] = gradientStrides[1] = gradientStrides[4] = ld;
        Kernels.GRADIENT.runRows(gradientArgs, gradientOffsets, NO_MAPS, cols, gradientStrides, rows);
    }

    /**
     * {@code out[r][c] = x[r][c]·factor[r]} for {@code c < cols}: x's rows {@code xStride} apart from 0, out's
     * {@code outStride} apart from {@code oo} (the online softmax's rescaling of its output rows, and their division by l).
     */
    void scaleRows(float[] x, int xStride, float[] factor, float[] out, int oo, int outStride, int rows, int cols) {
        scaleArgs[0] = x;
        scaleArgs[1] = factor;
        scaleArgs[2] = out;
        scaleOffsets[2] = oo;
        scaleStrides[0] = xStride;
        scaleStrides[2] = outStride;
        Kernels.SCALE.runRows(scaleArgs, scaleOffsets, NO_MAPS, cols, scaleStrides, rows);
    }

    /** {@code out[i] = exp(x[i] - y[i])} for {@code i < n}: the IR's exp, the PTX attention's too (the rescale factors). */
    void expDiff(float[] x, float[] y, float[] out, int n) {
        pair(Kernels.EXP_DIFF, x, y, out, n);
    }

    /** {@code out[i] = m[i] + log(l[i])} for {@code i < n}: the IR's log, the PTX attention's too (the rows' logsumexps). */
    void plusLog(float[] m, float[] l, float[] out, int n) {
        pair(Kernels.PLUS_LOG, m, l, out, n);
    }

    private void pair(FusedKernel kernel, float[] x, float[] y, float[] out, int n) {
        pairArgs[0] = x;
        pairArgs[1] = y;
        pairArgs[2] = out;
        kernel.run(pairArgs, pairOffsets, NO_MAPS, n);
    }

    /** Made on first use. */
    private static final class Kernels {
        static final FusedKernel EXP_SUM = GeneratedLoops.compile(AttentionKernels.numerators());
        static final FusedKernel EXP = GeneratedLoops.compile(AttentionKernels.exponentials());
        static final FusedKernel GRADIENT = GeneratedLoops.compile(AttentionKernels.softmaxGradient());
        static final FusedKernel MAX = GeneratedLoops.compile(AttentionKernels.rowMax());
        static final FusedKernel EXP_DIFF = GeneratedLoops.compile(AttentionKernels.expDiff(Access.CONTIGUOUS));
        static final FusedKernel PLUS_LOG = GeneratedLoops.compile(AttentionKernels.plusLog(Access.CONTIGUOUS));
        static final FusedKernel SCALE = GeneratedLoops.compile(AttentionKernels.rowScale());
    }
}
