package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.Op;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The attention's tile passes, each one generated call over a tile's rows ({@code reduceRows}, {@code runRows}), against
 * the eager ops element by element and row by row: the same bits for row lengths around the vector and four-vector
 * blocks, rows that see nothing, shifts of -inf (all zeros), zeros past each row's visible scores, and the gradient
 * pass with its per-row delta; and the online softmax's steps against the eager exp, log and multiply.
 */
class AttentionRowsTest {
    private final SplittableRandom rng = new SplittableRandom(7);

    @Test
    void tilePassesGiveTheEagerOpsBits() {
        AttentionRows pass = new AttentionRows();
        int[] widths = {1, 15, 16, 17, 63, 64, 65, 100, 128};
        for (int cols : widths) {
            int rows = 1 + rng.nextInt(20), ld = AttentionRows.stride(cols);
            int[] visible = new int[rows];
            float[] s = new float[rows * ld], shift = new float[rows], delta = new float[rows + 3];
            for (int r = 0; r < rows; r++) {
                visible[r] = r == 0 ? 0 : r == 1 ? cols : rng.nextInt(cols + 1);
                for (int j = 0; j < ld; j++) s[r * ld + j] = j < cols ? (float) (rng.nextDouble() * 20 - 10) : Float.NaN;
                delta[r + 3] = (float) rng.nextGaussian();
            }
            float[] max = new float[rows];
            pass.rowMax(s, rows, ld, visible, max);
            for (int r = 0; r < rows; r++) {
                float expected = GeneratedLoops.reduce(Op.REDUCE_MAX, s, r * ld, 1, visible[r], Float.NEGATIVE_INFINITY);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(max[r]), "max of row " + r + ", cols " + cols);
            }
            for (int r = 0; r < rows; r++) shift[r] = r == 2 ? Float.NEGATIVE_INFINITY : Math.max(max[r], 0f) * 0.3f;
            float[] p = s.clone(), sums = new float[rows], e = new float[ld], noSums = s.clone();
            pass.numerators(p, rows, ld, visible, 0.3f, shift, 0, sums);
            float[] shiftAt5 = new float[rows + 5];
            System.arraycopy(shift, 0, shiftAt5, 5, rows);
            pass.numerators(noSums, rows, ld, visible, 0.3f, shiftAt5, 5, null);
            assertArrayEquals(bits(p), bits(noSums), "numerators without their sums, cols " + cols);
            for (int r = 0; r < rows; r++) {
                int n = shift[r] == Float.NEGATIVE_INFINITY ? 0 : visible[r];
                float[] sh = {shift[r]}, sc = {0.3f};
                GeneratedLoops.binary(Op.MUL, s, r * ld, 1, sc, 0, 0, e, 0, 1, n);
                GeneratedLoops.binary(Op.SUB, e, 0, 1, sh, 0, 0, e, 0, 1, n);
                GeneratedLoops.unary(Op.EXP, e, 0, 1, e, 0, 1, n);
                java.util.Arrays.fill(e, n, ld, 0f);
                for (int j = 0; j < ld; j++) {
                    assertEquals(Float.floatToRawIntBits(e[j]), Float.floatToRawIntBits(p[r * ld + j]), "p[" + r + "][" + j + "], cols " + cols);
                }
                float sum = GeneratedLoops.reduce(Op.REDUCE_SUM, e, 0, 1, n, 0f);
                assertEquals(Float.floatToRawIntBits(sum), Float.floatToRawIntBits(sums[r]), "sum of row " + r + ", cols " + cols);
            }
            float[] ds = new float[rows * ld];
            for (int i = 0; i < ds.length; i++) ds[i] = (float) rng.nextGaussian();
            float[] dp = ds.clone(), g = new float[cols];
            pass.softmaxGradient(p, ds, rows, ld, cols, delta, 3, 0.125f);
            for (int r = 0; r < rows; r++) {
                float[] dl = {delta[r + 3]}, sc = {0.125f};
                GeneratedLoops.binary(Op.SUB, dp, r * ld, 1, dl, 0, 0, g, 0, 1, cols);
                GeneratedLoops.binary(Op.MUL, p, r * ld, 1, g, 0, 1, g, 0, 1, cols);
                GeneratedLoops.binary(Op.MUL, g, 0, 1, sc, 0, 0, g, 0, 1, cols);
                for (int j = 0; j < cols; j++) assertEquals(Float.floatToRawIntBits(g[j]), Float.floatToRawIntBits(ds[r * ld + j]), "ds[" + r + "][" + j + "]");
            }
        }
    }

    /** The online softmax's rescale factors and logsumexps are the eager exp and log's bits (the IR's one definition), any length. */
    @Test
    void rescaleFactorsAndLogSumExpsAreTheEagerExpAndLog() {
        AttentionRows pass = new AttentionRows();
        float[] special = {Float.NEGATIVE_INFINITY, 0f, -0f, 1f, Float.MIN_VALUE, 1e-30f, 88.7f, -103f, Float.POSITIVE_INFINITY};
        for (int n : new int[] {0, 1, 3, 16, 17, 50}) {
            float[] x = new float[n], y = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = i < special.length && rng.nextBoolean() ? special[i] : (float) (rng.nextDouble() * 40 - 30);
                y[i] = i < special.length && rng.nextBoolean() ? special[special.length - 1 - i] : (float) (rng.nextDouble() * 20);
            }
            float[] got = new float[n], expected = new float[n];
            pass.expDiff(x, y, got, n);
            GeneratedLoops.binary(Op.SUB, x, 0, 1, y, 0, 1, expected, 0, 1, n);
            GeneratedLoops.unary(Op.EXP, expected, 0, 1, expected, 0, 1, n);
            assertArrayEquals(bits(expected), bits(got), "exp(x - y), n " + n);
            pass.plusLog(x, y, got, n);
            GeneratedLoops.unary(Op.LOG, y, 0, 1, expected, 0, 1, n);
            GeneratedLoops.binary(Op.ADD, x, 0, 1, expected, 0, 1, expected, 0, 1, n);
            assertArrayEquals(bits(expected), bits(got), "x + log(y), n " + n);
        }
    }

    /**
     * A row scale (the online softmax's rescaling, its division by l) is the eager multiply's bits in place and into
     * rows spread apart; factors 0 and 1 among them.
     */
    @Test
    void rowScaleIsTheEagerMultiply() {
        AttentionRows pass = new AttentionRows();
        for (int cols : new int[] {1, 7, 16, 32, 33, 80}) {
            int rows = 1 + rng.nextInt(20), outStride = cols + 1 + rng.nextInt(40);
            float[] x = new float[rows * cols], factor = new float[rows], out = new float[3 + rows * outStride];
            for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
            for (int r = 0; r < rows; r++) factor[r] = r == 0 ? 0f : r == 1 ? 1f : (float) rng.nextGaussian();
            float[] inPlace = x.clone(), expected = new float[cols];
            pass.scaleRows(x, cols, factor, out, 3, outStride, rows, cols);
            pass.scaleRows(inPlace, cols, factor, inPlace, 0, cols, rows, cols);
            for (int r = 0; r < rows; r++) {
                GeneratedLoops.binary(Op.MUL, x, r * cols, 1, factor, r, 0, expected, 0, 1, cols);
                for (int c = 0; c < cols; c++) {
                    assertEquals(Float.floatToRawIntBits(expected[c]), Float.floatToRawIntBits(out[3 + r * outStride + c]), "row " + r);
                    assertEquals(Float.floatToRawIntBits(expected[c]), Float.floatToRawIntBits(inPlace[r * cols + c]), "row " + r);
                }
            }
        }
    }

    private static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) b[i] = Float.floatToRawIntBits(x[i]);
        return b;
    }
}
