package dev.javelin.kernels.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.javelin.kernels.cpu.CpuThreads;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The column sums of B that a GEMM computes as a row of ones appended to A: bit for bit the sums of a loop that adds
 * B's rows in order from 0, with C bit for bit the product computed without them, in every path (packed B, B read in
 * place, several k blocks and outer blocks, edge strips, plain loops), every layout, accumulating or not, at 1 and 2 threads.
 */
class SgemmColumnSumsTest {
    private final long seed = System.nanoTime();
    private final SplittableRandom rnd = new SplittableRandom(seed);
    private final int threadsBefore = CpuThreads.threads();

    @AfterEach
    void restoreThreads() {
        CpuThreads.setThreads(threadsBefore);
    }

    /** A {@code rows×cols} operand: row-major, transposed, padded rows at an offset, or strided both ways. */
    private record Operand(float[] data, int offset, int rowStride, int colStride) {}

    private Operand operand(int rows, int cols, int layout) {
        int offset = 5, pad = 3;
        int[] st = switch (layout) {
            case 0 -> new int[] {cols, 1, 0, rows * cols};
            case 1 -> new int[] {1, rows, 0, rows * cols};
            case 2 -> new int[] {cols + pad, 1, offset, offset + rows * (cols + pad)};
            default -> new int[] {2, 2 * rows + pad, offset, offset + cols * (2 * rows + pad)};
        };
        float[] data = new float[Math.max(1, st[3])];
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextDouble(-1, 1);
        return new Operand(data, st[2], st[0], st[1]);
    }

    /** Runs the product with and without sums (packed kernel when {@code packed}, else {@link Sgemm}'s choice) and compares. */
    private void check(int m, int n, int k, int layoutA, int layoutB, boolean accumulate, boolean packed) {
        Operand a = operand(m, k, layoutA), b = operand(k, n, layoutB);
        String where = m + "x" + n + "x" + k + " layouts " + layoutA + "/" + layoutB + (accumulate ? " accumulating" : "")
                + (packed ? " packed" : "") + " threads " + CpuThreads.threads() + " seed " + seed;
        float[] c = new float[m * n];
        for (int i = 0; i < c.length; i++) c[i] = (float) rnd.nextDouble(-1, 1);
        float[] plainC = c.clone();
        int off = 2;
        float[] sums = new float[off + n + 2];
        for (int i = 0; i < sums.length; i++) sums[i] = (float) rnd.nextDouble(-1, 1);
        float[] expected = sums.clone();
        for (int j = 0; j < n; j++) {
            float s = accumulate ? expected[off + j] : 0f;
            for (int p = 0; p < k; p++) s += b.data[b.offset + p * b.rowStride + j * b.colStride];
            expected[off + j] = s;
        }
        if (packed) {
            SgemmVector.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride,
                    c, 0, n, accumulate, null, sums, off);
            SgemmVector.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride,
                    plainC, 0, n, accumulate, null, null, 0);
        } else {
            Sgemm.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride,
                    c, 0, n, accumulate, null, sums, off);
            Sgemm.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride,
                    plainC, 0, n, accumulate);
        }
        assertArrayEquals(expected, sums, "column sums (and the floats beside them), " + where);
        assertArrayEquals(plainC, c, "C beside the column sums, " + where);
    }

    @Test
    void everyPackedPathGivesTheRowByRowSumsAndTheSameC() {
        if (!Sgemm.vectorized()) return; // the plain loops are the only path: the next test covers them
        // in-place B (m <= 256), packed B (aliased rows, m > 256), k over several blocks and rounds, edge strips,
        // the ones row alone in its row block (m a multiple of 64), one row, one column, m over an outer block
        int[][] shapes = {{128, 128, 1100}, {128, 512, 2100}, {300, 70, 600}, {64, 33, 513}, {1, 96, 70}, {17, 1, 40},
                {9, 2100, 40}, {2100, 9, 40}, {8, 256, 4100}};
        for (int threads = 1; threads <= 2; threads++) {
            CpuThreads.setThreads(threads);
            for (int[] s : shapes) {
                for (int layoutA = 0; layoutA < 4; layoutA++) {
                    check(s[0], s[1], s[2], layoutA, rnd.nextInt(4), rnd.nextBoolean(), true);
                }
                check(s[0], s[1], s[2], 1, 0, false, true); // the weight gradient's layout: x^T, dY row-major
            }
        }
    }

    @Test
    void plainLoopsAndEmptyShapesGiveTheRowByRowSums() {
        int[][] shapes = {{3, 5, 7}, {0, 6, 9}, {4, 6, 0}, {0, 3, 0}, {5, 0, 4}, {1, 1, 1}, {40, 30, 20}};
        for (int[] s : shapes) {
            for (int layout = 0; layout < 4; layout++) {
                check(s[0], s[1], s[2], layout, 3 - layout, false, false);
                check(s[0], s[1], s[2], layout, layout, true, false);
            }
        }
    }

    @Test
    void sumsOutsideTheArrayAreRefused() {
        float[] a = new float[6], b = new float[6], c = new float[4];
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.multiply(2, 2, 3, a, 0, 3, 1, b, 0, 2, 1, c, 0, 2, false, null, new float[2], 1));
    }
}
