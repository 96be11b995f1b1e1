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
    private static final FusedKernel EXP_SUM = GeneratedLoops.compile(AttentionKernels.numerators());
    private static final FusedKernel EXP = GeneratedLoops.compile(AttentionKernels.exponentials());
    private static final FusedKernel GRADIENT = GeneratedLoops.compile(AttentionKernels.softmaxGradient());
    private static final FusedKernel MAX = GeneratedLoops.compile(AttentionKernels.rowMax());
    private static final FusedKernel EXP_DIFF = GeneratedLoops.compile(AttentionKernels.expDiff(Access.CONTIGUOUS));
    private static final FusedKernel PLUS_LOG = GeneratedLoops.compile(AttentionKernels.plusLog(Access.CONTIGUOUS));
    private static final FusedKernel SCALE = GeneratedLoops.compile(AttentionKernels.rowScale());

    // one call's arguments, kept and reused by every pass (slots past a kernel's own are ignored): a pass over one of the
    // char-GPT's tiles takes about a microsecond, and arrays made per call cost 1-4% of its attention (perf/NOTES.md, seq11)
    private final Object[] arrays = new Object[5];
    private final int[] offsets = new int[5], strides = new int[5];
    private final float[] scale = new float[1];
    private int[] lengths = new int[0];

    /** The row stride of a tile of {@code cols} scores a row: whole vectors, so that no pass reads a partial one. */
    static int stride(int cols) {
        int lanes = VectorSupport.lanes();
        return (cols + lanes - 1) / lanes * lanes;
    }

    /** {@code max[r]}: the largest of row r's first {@code visible[r]} scores (-inf for none). */
    void rowMax(float[] s, int rows, int ld, int[] visible, float[] max) {
        slot(0, s, 0, ld);
        MAX.reduceRows(arrays, offsets, NO_MAPS, visible, strides, rows, max);
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
        slot(0, s, 0, ld).slot(1, this.scale, 0, 0).slot(2, shift, s0, 1).slot(3, s, 0, ld);
        if (sums == null) { // no sums: whole rows of whole vectors, one unmasked loop each, then the masked entries zeroed
            EXP.runRows(arrays, offsets, NO_MAPS, ld, strides, rows);
        } else {
            EXP_SUM.reduceRows(arrays, offsets, NO_MAPS, lengths, strides, rows, sums);
        }
        for (int r = 0; r < rows; r++) Arrays.fill(s, r * ld + lengths[r], (r + 1) * ld, 0f);
    }

    /** {@code ds[r][j] = p[r][j]·(ds[r][j] - delta[d0 + r])·scale} for {@code j < cols}, rows {@code ld} apart. */
    void softmaxGradient(float[] p, float[] ds, int rows, int ld, int cols, float[] delta, int d0, float scale) {
        if (cols == 0) return;
        this.scale[0] = scale;
        slot(0, p, 0, ld).slot(1, ds, 0, ld).slot(2, delta, d0, 1).slot(3, this.scale, 0, 0).slot(4, ds, 0, ld);
        GRADIENT.runRows(arrays, offsets, NO_MAPS, cols, strides, rows);
    }

    /**
     * {@code out[r][c] = x[r][c]·factor[r]} for {@code c < cols}: x's rows {@code xStride} apart from 0, out's
     * {@code outStride} apart from {@code oo} (the online softmax's rescaling of its output rows, and their division by l).
     */
    void scaleRows(float[] x, int xStride, float[] factor, float[] out, int oo, int outStride, int rows, int cols) {
        slot(0, x, 0, xStride).slot(1, factor, 0, 1).slot(2, out, oo, outStride);
        SCALE.runRows(arrays, offsets, NO_MAPS, cols, strides, rows);
    }

    /** {@code out[i] = exp(x[i] - y[i])} for {@code i < n}: the IR's exp, the PTX attention's too (the rescale factors). */
    void expDiff(float[] x, float[] y, float[] out, int n) {
        slot(0, x, 0, 0).slot(1, y, 0, 0).slot(2, out, 0, 0);
        EXP_DIFF.run(arrays, offsets, NO_MAPS, n);
    }

    /** {@code out[i] = m[i] + log(l[i])} for {@code i < n}: the IR's log, the PTX attention's too (the rows' logsumexps). */
    void plusLog(float[] m, float[] l, float[] out, int n) {
        slot(0, m, 0, 0).slot(1, l, 0, 0).slot(2, out, 0, 0);
        PLUS_LOG.run(arrays, offsets, NO_MAPS, n);
    }

    /** Sets argument slot {@code s}: its array, the offset of its first row, its row stride. */
    private AttentionRows slot(int s, Object array, int offset, int stride) {
        arrays[s] = array;
        offsets[s] = offset;
        strides[s] = stride;
        return this;
    }
}
