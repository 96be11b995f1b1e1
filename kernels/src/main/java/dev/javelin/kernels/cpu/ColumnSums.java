package dev.javelin.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Column sums of a row-major block: {@code out[j] += x[r][j]} for {@code r = 0, 1, ..., rows-1} in
 * that order (a bias gradient, the sum of dY over its rows), in one call: rows outside, so a dense x
 * streams through memory in order while {@code out} stays in L1. The adds and their order are those
 * of the generated column-reduction kernel's {@code runRows} (the JIT launcher's other column
 * reductions, eager {@code Reductions}), so the bits are the same; kept for the launcher's plain sums
 * because it measured faster there (perf/NOTES.md, `lines3`). Columns are independent, so a caller may
 * split them over threads without changing any bit.
 *
 * <pre>{@code
 * float[] dy = ...;                      // [4096, 128], row-major
 * float[] db = new float[128];           // zeros: the sum's identity
 * ColumnSums.accumulate(dy, 0, 128, 4096, db, 0, 128);
 * }</pre>
 */
public final class ColumnSums {
    private ColumnSums() {}

    /**
     * Adds rows {@code 0..rows-1} of x (row r, column j at {@code x[xo + r*rowStride + j]}) into
     * {@code out[oo + j]} for {@code j < n}, row after row.
     */
    public static void accumulate(float[] x, int xo, int rowStride, int rows, float[] out, int oo, int n) {
        if (VectorSupport.enabled()) {
            Vectors.accumulate(x, xo, rowStride, rows, out, oo, n);
            return;
        }
        for (int r = 0, src = xo; r < rows; r++, src += rowStride) {
            for (int c = 0; c < n; c++) out[oo + c] += x[src + c];
        }
    }

    /** The Vector API loop, in its own class so that nothing links {@code FloatVector} when the module is absent. */
    private static final class Vectors {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        private static final int L = S.length();

        static void accumulate(float[] x, int xo, int rowStride, int rows, float[] out, int oo, int n) {
            int whole = S.loopBound(n);
            for (int r = 0, src = xo; r < rows; r++, src += rowStride) {
                int c = 0;
                for (; c < whole; c += L) FloatVector.fromArray(S, out, oo + c).add(FloatVector.fromArray(S, x, src + c)).intoArray(out, oo + c);
                for (; c < n; c++) out[oo + c] += x[src + c];
            }
        }
    }
}
