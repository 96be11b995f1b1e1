package dev.javelin.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Column sums of a row-major block: {@code out[j] += x[r][j]} for {@code r = 0, 1, ..., rows-1} in
 * that order, each column's running sum kept in a register across the rows (a bias gradient, the
 * sum of dY over its rows). The adds and their order are those of a column reduction that adds one
 * row per call into {@code out} (the JIT launcher's generated kernels, eager {@code Reductions}), so
 * the bits are the same; only the calls and the stores of {@code out} between rows are gone.
 * Columns are independent, so a caller may split them over threads without changing any bit.
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
        int j = VectorSupport.enabled() ? Vectors.accumulate(x, xo, rowStride, rows, out, oo, n) : 0;
        for (int r = 0; r < rows && j < n; r++) { // the columns left (all of them without the Vector API)
            for (int c = j, src = xo + r * rowStride; c < n; c++) out[oo + c] += x[src + c];
        }
    }

    /** The Vector API loop, in its own class so that nothing links {@code FloatVector} when the module is absent. */
    private static final class Vectors {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        private static final int L = S.length();

        /** The whole vectors of columns, eight, four, then one at a time; returns the first column not summed. */
        static int accumulate(float[] x, int xo, int rowStride, int rows, float[] out, int oo, int n) {
            int j = 0;
            for (; j + 8 * L <= n; j += 8 * L) {
                FloatVector a0 = FloatVector.fromArray(S, out, oo + j), a1 = FloatVector.fromArray(S, out, oo + j + L);
                FloatVector a2 = FloatVector.fromArray(S, out, oo + j + 2 * L), a3 = FloatVector.fromArray(S, out, oo + j + 3 * L);
                FloatVector a4 = FloatVector.fromArray(S, out, oo + j + 4 * L), a5 = FloatVector.fromArray(S, out, oo + j + 5 * L);
                FloatVector a6 = FloatVector.fromArray(S, out, oo + j + 6 * L), a7 = FloatVector.fromArray(S, out, oo + j + 7 * L);
                for (int r = 0, src = xo + j; r < rows; r++, src += rowStride) {
                    a0 = a0.add(FloatVector.fromArray(S, x, src));
                    a1 = a1.add(FloatVector.fromArray(S, x, src + L));
                    a2 = a2.add(FloatVector.fromArray(S, x, src + 2 * L));
                    a3 = a3.add(FloatVector.fromArray(S, x, src + 3 * L));
                    a4 = a4.add(FloatVector.fromArray(S, x, src + 4 * L));
                    a5 = a5.add(FloatVector.fromArray(S, x, src + 5 * L));
                    a6 = a6.add(FloatVector.fromArray(S, x, src + 6 * L));
                    a7 = a7.add(FloatVector.fromArray(S, x, src + 7 * L));
                }
                a0.intoArray(out, oo + j);
                a1.intoArray(out, oo + j + L);
                a2.intoArray(out, oo + j + 2 * L);
                a3.intoArray(out, oo + j + 3 * L);
                a4.intoArray(out, oo + j + 4 * L);
                a5.intoArray(out, oo + j + 5 * L);
                a6.intoArray(out, oo + j + 6 * L);
                a7.intoArray(out, oo + j + 7 * L);
            }
            for (; j + 4 * L <= n; j += 4 * L) {
                FloatVector a0 = FloatVector.fromArray(S, out, oo + j), a1 = FloatVector.fromArray(S, out, oo + j + L);
                FloatVector a2 = FloatVector.fromArray(S, out, oo + j + 2 * L), a3 = FloatVector.fromArray(S, out, oo + j + 3 * L);
                for (int r = 0, src = xo + j; r < rows; r++, src += rowStride) {
                    a0 = a0.add(FloatVector.fromArray(S, x, src));
                    a1 = a1.add(FloatVector.fromArray(S, x, src + L));
                    a2 = a2.add(FloatVector.fromArray(S, x, src + 2 * L));
                    a3 = a3.add(FloatVector.fromArray(S, x, src + 3 * L));
                }
                a0.intoArray(out, oo + j);
                a1.intoArray(out, oo + j + L);
                a2.intoArray(out, oo + j + 2 * L);
                a3.intoArray(out, oo + j + 3 * L);
            }
            for (; j + L <= n; j += L) {
                FloatVector a = FloatVector.fromArray(S, out, oo + j);
                for (int r = 0, src = xo + j; r < rows; r++, src += rowStride) a = a.add(FloatVector.fromArray(S, x, src));
                a.intoArray(out, oo + j);
            }
            return j;
        }
    }
}
