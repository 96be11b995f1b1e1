package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.Op;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The attention's tile passes over whole tiles (Vector API arithmetic around one generated exp call, row sums in
 * the generated row reduction's order) against one fused kernel call per row: the same bits for row lengths
 * around the vector and four-vector blocks, rows that see nothing, shifts of -inf, and the gradient pass.
 */
class AttentionRowsTest {
    private final SplittableRandom rng = new SplittableRandom(7);

    @Test
    void wholeTilePassesGiveThePerRowKernelsBits() {
        AttentionRows tiles = new AttentionRows(), perRow = new AttentionRows(false);
        int[] widths = {1, 15, 16, 17, 63, 64, 65, 100, 128};
        for (int cols : widths) {
            int rows = 1 + rng.nextInt(20), ld = AttentionRows.stride(cols);
            int[] visible = new int[rows];
            float[] s = new float[rows * ld], shift = new float[rows], delta = new float[rows + 3];
            for (int r = 0; r < rows; r++) {
                visible[r] = r == 0 ? 0 : r == 1 ? cols : rng.nextInt(cols + 1);
                for (int j = 0; j < cols; j++) s[r * ld + j] = (float) (rng.nextDouble() * 20 - 10);
                delta[r + 3] = (float) rng.nextGaussian();
            }
            float[] maxA = new float[rows], maxB = new float[rows];
            tiles.rowMax(s, rows, ld, visible, maxA);
            perRow.rowMax(s, rows, ld, visible, maxB);
            assertArrayEquals(maxB, maxA, "row maxima, cols " + cols);
            for (int r = 0; r < rows; r++) shift[r] = r == 2 ? Float.NEGATIVE_INFINITY : Math.max(maxA[r], 0f) * 0.3f;
            float[] a = s.clone(), b = s.clone(), sumA = new float[rows], sumB = new float[rows];
            tiles.numerators(a, rows, ld, visible, 0.3f, shift, sumA);
            perRow.numerators(b, rows, ld, visible, 0.3f, shift, sumB);
            assertArrayEquals(bits(sumB), bits(sumA), "row sums, cols " + cols);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    assertEquals(Float.floatToRawIntBits(b[r * ld + j]), Float.floatToRawIntBits(a[r * ld + j]), "p[" + r + "][" + j + "]");
                }
            }
            float[] gA = new float[rows * ld], gB;
            for (int i = 0; i < gA.length; i++) gA[i] = (float) rng.nextGaussian();
            gB = gA.clone();
            tiles.softmaxGradient(a, gA, rows, ld, cols, delta, 3, 0.125f);
            perRow.softmaxGradient(b, gB, rows, ld, cols, delta, 3, 0.125f);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) assertEquals(Float.floatToRawIntBits(gB[r * ld + j]), Float.floatToRawIntBits(gA[r * ld + j]));
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

    private static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) b[i] = Float.floatToRawIntBits(x[i]);
        return b;
    }
}
