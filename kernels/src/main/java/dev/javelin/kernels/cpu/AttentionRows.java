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
 * row stride is {@link #stride} (whole vectors). The kernels' argument arrays are made per call: a few dozen bytes
 * against a tile's thousands of flops.
 *
 * <pre>{@code
 * AttentionRows.rowMax(s, 16, 128, visible, max);                        // max[r] over row r's visible[r] scores
 * AttentionRows.numerators(s, 16, 128, visible, 0.125f, max, 0, sums);   // s = exp(s * 0.125 - max), 0 past visible
 * }</pre>
 */
final class AttentionRows {
    private static final int[][] NO_MAPS = new int[5][];
    private static final FusedKernel EXP_SUM = GeneratedLoops.compile(AttentionKernels.numerators());
    private static final FusedKernel EXP = GeneratedLoops.compile(AttentionKernels.exponentials());
    private static final FusedKernel GRADIENT = GeneratedLoops.compile(AttentionKernels.softmaxGradient());
    private static final FusedKernel MAX = GeneratedLoops.compile(AttentionKernels.rowMax());
    private static final FusedKernel EXP_DIFF = GeneratedLoops.compile(AttentionKernels.expDiff(Access.CONTIGUOUS));
    private static final FusedKernel PLUS_LOG = GeneratedLoops.compile(AttentionKernels.plusLog(Access.CONTIGUOUS));
    private static final FusedKernel SCALE = GeneratedLoops.compile(AttentionKernels.rowScale());

    private AttentionRows() {}

    /** The row stride of a tile of {@code cols} scores a row: whole vectors, so that no pass reads a partial one. */
    static int stride(int cols) {
        int lanes = VectorSupport.lanes();
        return (cols + lanes - 1) / lanes * lanes;
    }

    /** {@code max[r]}: the largest of row r's first {@code visible[r]} scores (-inf for none). */
    static void rowMax(float[] s, int rows, int ld, int[] visible, float[] max) {
        MAX.reduceRows(new Object[] {s}, new int[1], NO_MAPS, visible, new int[] {ld}, rows, max);
    }

    /**
     * The softmax numerators of rows [0, rows): {@code s[r][j] = exp(s[r][j]·scale - shift[s0 + r])} for {@code j < visible[r]},
     * 0 from there to {@code ld}; a row whose shift is -inf is all 0. With {@code sums} not null, {@code sums[r]} is the
     * row's sum (0 for such a row).
     */
    static void numerators(float[] s, int rows, int ld, int[] visible, float scale, float[] shift, int s0, float[] sums) {
        int[] lengths = new int[rows];
        for (int r = 0; r < rows; r++) lengths[r] = shift[s0 + r] == Float.NEGATIVE_INFINITY ? 0 : visible[r];
        Object[] args = {s, new float[] {scale}, shift, s};
        int[] offsets = {0, 0, s0, 0}, strides = {ld, 0, 1, ld};
        if (sums == null) { // no sums: whole rows of whole vectors, one unmasked loop each, then the masked entries zeroed
            EXP.runRows(args, offsets, NO_MAPS, ld, strides, rows);
        } else {
            EXP_SUM.reduceRows(args, offsets, NO_MAPS, lengths, strides, rows, sums);
        }
        for (int r = 0; r < rows; r++) Arrays.fill(s, r * ld + lengths[r], (r + 1) * ld, 0f);
    }

    /** {@code ds[r][j] = p[r][j]·(ds[r][j] - delta[d0 + r])·scale} for {@code j < cols}, rows {@code ld} apart. */
    static void softmaxGradient(float[] p, float[] ds, int rows, int ld, int cols, float[] delta, int d0, float scale) {
        if (cols == 0) return;
        GRADIENT.runRows(new Object[] {p, ds, delta, new float[] {scale}, ds}, new int[] {0, 0, d0, 0, 0}, NO_MAPS, cols,
                new int[] {ld, ld, 1, 0, ld}, rows);
    }

    /**
     * {@code out[r][c] = x[r][c]·factor[r]} for {@code c < cols}: x's rows {@code xStride} apart from 0, out's
     * {@code outStride} apart from {@code oo} (the online softmax's rescaling of its output rows, and their division by l).
     */
    static void scaleRows(float[] x, int xStride, float[] factor, float[] out, int oo, int outStride, int rows, int cols) {
        SCALE.runRows(new Object[] {x, factor, out}, new int[] {0, 0, oo}, NO_MAPS, cols, new int[] {xStride, 1, outStride}, rows);
    }

    /** {@code out[i] = exp(x[i] - y[i])} for {@code i < n}: the IR's exp, the PTX attention's too (the rescale factors). */
    static void expDiff(float[] x, float[] y, float[] out, int n) {
        EXP_DIFF.run(new Object[] {x, y, out}, new int[3], NO_MAPS, n);
    }

    /** {@code out[i] = m[i] + log(l[i])} for {@code i < n}: the IR's log, the PTX attention's too (the rows' logsumexps). */
    static void plusLog(float[] m, float[] l, float[] out, int n) {
        PLUS_LOG.run(new Object[] {m, l, out}, new int[3], NO_MAPS, n);
    }
}
