package dev.javelin.kernels.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.kernels.cpu.CpuThreads;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SGEMM against a float64 product on random shapes and layouts. Tolerance: each element within
 * {@code 1e-5·(Σ|a·b| + |c0|) + 1e-6}, float32's rounding over a k-long sum.
 */
class SgemmTest {
    private final long seed = System.nanoTime();
    private final SplittableRandom rnd = new SplittableRandom(seed);
    private final int threadsBefore = CpuThreads.threads();

    @AfterEach
    void restoreThreads() {
        CpuThreads.setThreads(threadsBefore);
    }

    /** A {@code rows×cols} operand stored row-major, transposed, or with padded strides inside a bigger array. */
    private record Operand(float[] data, int offset, int rowStride, int colStride, int rows, int cols) {
        double get(int r, int c) {
            return data[offset + r * rowStride + c * colStride];
        }
    }

    private Operand operand(int rows, int cols, int layout) {
        int pad = 3, offset = 5;
        int rowStride, colStride, size;
        switch (layout) {
            case 0 -> { rowStride = cols; colStride = 1; size = rows * cols; offset = 0; }
            case 1 -> { rowStride = 1; colStride = rows; size = rows * cols; offset = 0; }
            case 2 -> { rowStride = cols + pad; colStride = 1; size = offset + rows * (cols + pad); }
            default -> { rowStride = 2; colStride = 2 * rows + pad; size = offset + cols * (2 * rows + pad); }
        }
        float[] data = new float[Math.max(1, size)];
        for (int i = 0; i < data.length; i++) data[i] = (float) (rnd.nextDouble() * 2 - 1);
        return new Operand(data, offset, rowStride, colStride, rows, cols);
    }

    private void check(int m, int n, int k, int layoutA, int layoutB, boolean accumulate) {
        Operand a = operand(m, k, layoutA), b = operand(k, n, layoutB);
        int ldc = n + (rnd.nextBoolean() ? 0 : 7), cOffset = rnd.nextInt(4);
        float[] c = new float[cOffset + Math.max(0, m - 1) * ldc + n + 3];
        for (int i = 0; i < c.length; i++) c[i] = (float) (rnd.nextDouble() * 2 - 1);
        float[] before = c.clone();
        Sgemm.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride,
                b.data, b.offset, b.rowStride, b.colStride, c, cOffset, ldc, accumulate);
        String where = "m=" + m + " n=" + n + " k=" + k + " layouts " + layoutA + "/" + layoutB
                + " accumulate=" + accumulate + " seed=" + seed;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int idx = cOffset + i * ldc + j;
                double c0 = accumulate ? before[idx] : 0, sum = c0, mag = Math.abs(c0);
                for (int p = 0; p < k; p++) {
                    double t = a.get(i, p) * b.get(p, j);
                    sum += t;
                    mag += Math.abs(t);
                }
                double tol = 1e-5 * mag + 1e-6;
                if (Math.abs(c[idx] - sum) > tol) {
                    throw new AssertionError("C[" + i + "][" + j + "] = " + c[idx] + ", expected " + sum + " ± " + tol + " (" + where + ")");
                }
            }
        }
        // Nothing outside the m×n window of C is touched.
        for (int i = 0; i < c.length; i++) {
            int r = (i - cOffset) / ldc, col = (i - cOffset) % ldc;
            boolean inside = i >= cOffset && r < m && col < n;
            if (!inside) assertEquals(before[i], c[i], "C outside the window changed at " + i + " (" + where + ")");
        }
    }

    @Test
    void smallAndEdgeShapesInEveryLayout() {
        int[] sizes = {1, 2, 3, 7, 8, 9, 15, 17, 31, 33, 40};
        for (int t = 0; t < 120; t++) {
            int m = sizes[rnd.nextInt(sizes.length)], n = sizes[rnd.nextInt(sizes.length)], k = sizes[rnd.nextInt(sizes.length)];
            check(m, n, k, rnd.nextInt(4), rnd.nextInt(4), rnd.nextBoolean());
        }
    }

    @Test
    void blockedShapesCrossEveryBlockEdge() {
        check(70, 300, 300, 0, 0, false);   // A rows past MC, B columns past NC
        check(20, 40, 1100, 2, 1, true);    // k past KC twice: three equal k blocks
        check(10, 40, 2600, 0, 0, false);   // k past the outer k block: a second round adds into C
        check(300, 33, 2600, 1, 3, true);   // the same with packed B
        check(3, 2100, 20, 0, 0, false);    // n past the outer column block, B in place
        check(2100, 9, 20, 0, 0, true);     // m past the outer row block, B packed
        check(300, 65, 257, 1, 0, true);    // m past the in-place-B limit: B packed
        check(129, 257, 513, 0, 1, false);  // transposed B, two k blocks and a remainder
        check(3, 1000, 100, 2, 2, true);    // skinny: few rows, many columns, padded strides
        check(1, 777, 600, 0, 0, false);    // a vector times a matrix
        check(777, 1, 600, 0, 3, false);    // a matrix times a vector
        check(1, 300, 70, 3, 1, true);      // a vector times a transposed matrix: packed B, one-row kernel
        check(265, 200, 50, 0, 0, true);    // packed B, last panel a single row
        check(4, 1030, 33, 1, 2, false);    // four rows: the narrow kernel, B in place
        check(200, 256, 1100, 1, 0, true);  // under the in-place-B limit, but a tall B with rows 1 KiB apart: packed
        check(100, 256, 1100, 1, 0, false); // two row blocks and the same tall B: packed; transposed A in vector steps
    }

    @Test
    void emptyDimensionsAndZeroK() {
        float[] c = {1, 2, 3, 4};
        Sgemm.multiply(2, 2, 0, new float[0], 0, 0, 1, new float[0], 0, 2, 1, c, 0, 2, true);
        assertArrayEquals(new float[] {1, 2, 3, 4}, c, "k = 0 with accumulate leaves C as it was");
        Sgemm.multiply(2, 2, 0, new float[0], 0, 0, 1, new float[0], 0, 2, 1, c, 0, 2, false);
        assertArrayEquals(new float[4], c, "k = 0 without accumulate gives zeros");
        float[] untouched = {9, 9};
        Sgemm.multiply(0, 2, 3, new float[0], 0, 3, 1, new float[6], 0, 2, 1, untouched, 0, 2, false);
        Sgemm.multiply(2, 0, 3, new float[6], 0, 3, 1, new float[0], 0, 0, 1, untouched, 0, 0, false);
        assertArrayEquals(new float[] {9, 9}, untouched, "an empty C is not written");
    }

    @Test
    void javadocExample() {
        float[] a = {1, 2, 3, 4, 5, 6}, b = {1, 0, 0, 1, 1, 1}, c = new float[4];
        Sgemm.multiply(2, 2, 3, a, 0, 3, 1, b, 0, 2, 1, c, 0, 2, false);
        assertArrayEquals(new float[] {4, 5, 10, 11}, c);
        float[] at = {1, 4, 2, 5, 3, 6}; // A stored transposed (3x2)
        Sgemm.multiply(2, 2, 3, at, 0, 1, 2, b, 0, 2, 1, c, 0, 2, false);
        assertArrayEquals(new float[] {4, 5, 10, 11}, c);
    }

    /** The plain loops that run while the packed kernel is cold give its bits, in every layout, accumulating or not. */
    @Test
    void coldScalarPathGivesThePackedKernelsBits() {
        if (!Sgemm.vectorized()) return; // without the Vector API the scalar loops are the only path
        int[][] shapes = {{128, 512, 784}, {9, 33, 17}, {1, 96, 70}, {37, 64, 513}, {64, 40, 1030}};
        for (int[] s : shapes) {
            for (int layoutA = 0; layoutA < 3; layoutA++) {
                for (int layoutB = 0; layoutB < 3; layoutB++) {
                    for (boolean accumulate : new boolean[] {false, true}) {
                        int m = s[0], n = s[1], k = s[2];
                        Operand a = operand(m, k, layoutA), b = operand(k, n, layoutB);
                        float[] packed = new float[m * n], plain = new float[m * n];
                        for (int i = 0; i < packed.length; i++) packed[i] = plain[i] = (float) rnd.nextDouble(-1, 1);
                        SgemmVector.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride,
                                packed, 0, n, accumulate, null, null, 0);
                        SgemmScalar.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride,
                                plain, 0, n, accumulate);
                        assertArrayEquals(packed, plain, "seed " + seed + ": " + m + "x" + n + "x" + k + " layouts " + layoutA + "/" + layoutB
                                + (accumulate ? " accumulating" : ""));
                    }
                }
            }
        }
    }

    @Test
    void identicalBitsAtOneAndTwoThreads() {
        int[][] shapes = {{1024, 1024, 700}, {128, 784, 512}, {300, 517, 333}, {1, 900, 900}, {5, 70, 2000}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            Operand a = operand(m, k, rnd.nextInt(2)), b = operand(k, n, rnd.nextInt(2));
            float[] c1 = new float[m * n], c2 = new float[m * n];
            CpuThreads.setThreads(1);
            Sgemm.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride, c1, 0, n, false);
            CpuThreads.setThreads(2);
            Sgemm.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride, c2, 0, n, false);
            assertTrue(Arrays.equals(c1, c2), "results differ between 1 and 2 threads for " + m + "x" + n + "x" + k + " seed=" + seed);
        }
    }

    @Test
    void packedKernelAndScalarLoopGiveTheSameBits() {
        // Both run one fused multiply-add chain per element in k order: the fallback, the tiny-size
        // path and the packed kernel (edge tiles, in-place B, accumulate) must agree exactly.
        int[][] shapes = {{37, 70, 300}, {9, 33, 5}, {300, 40, 260}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            boolean accumulate = rnd.nextBoolean();
            Operand a = operand(m, k, rnd.nextInt(4)), b = operand(k, n, rnd.nextInt(4));
            float[] c1 = new float[m * n];
            for (int i = 0; i < c1.length; i++) c1[i] = (float) rnd.nextDouble();
            float[] c2 = c1.clone();
            Sgemm.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride, c1, 0, n, accumulate);
            SgemmScalar.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride, c2, 0, n, accumulate);
            assertTrue(Arrays.equals(c1, c2), "packed and scalar results differ for " + m + "x" + n + "x" + k + " seed=" + seed);
        }
    }

    @Test
    void weightGradientLayoutsGiveTheScalarLoopsBits() {
        // Xᵀ·dY: A transposed (its panels copied a vector per k step), B row-major with rows a multiple of
        // 1 KiB apart (packed from two row blocks on, its full strips a vector pair per step), odd edges; B read in
        // place with full 8-row tiles over several k blocks (rows 96 and 62 floats apart, as the LM head's dY).
        int[][] shapes = {{100, 256, 1100}, {72, 512, 1030}, {129, 256, 1500}, {17, 256, 1100}, {136, 96, 1100}, {128, 62, 1030}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            Operand a = operand(m, k, 1), b = operand(k, n, 0);
            float[] c1 = new float[m * n], c2 = new float[m * n];
            Sgemm.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride, c1, 0, n, false);
            SgemmScalar.multiply(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride, c2, 0, n, false);
            assertTrue(Arrays.equals(c1, c2), "packed and scalar results differ for " + m + "x" + n + "x" + k + " seed=" + seed);
        }
    }

    @Test
    void badArgumentsNameTheProblem() {
        float[] a = new float[6], b = new float[6], c = new float[4];
        var e = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.multiply(2, 2, 4, a, 0, 4, 1, b, 0, 2, 1, c, 0, 2, false));
        assertTrue(e.getMessage().contains("Sgemm.multiply") && e.getMessage().contains("A (2x4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sgemm.multiply(-1, 2, 3, a, 0, 3, 1, b, 0, 2, 1, c, 0, 2, false));
        assertThrows(IllegalArgumentException.class, () -> Sgemm.multiply(2, 2, 3, a, 0, 3, 1, b, 0, 2, 1, c, 0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> Sgemm.multiply(2, 2, 3, a, 0, 3, 1, b, 0, 2, 1, new float[3], 0, 2, false));
    }

    @Test
    void theEpilogueSeesEveryBlockOfCOnceAndOnlyWhenFinal() {
        SplittableRandom r = new SplittableRandom(System.nanoTime());
        for (int[] mnk : new int[][] {{3, 5, 7}, {70, 45, 33}, {2100, 9, 40}, {9, 2100, 600}, {0, 4, 4}, {4, 4, 0}}) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            float[] a = new float[m * k], b = new float[k * n];
            for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble(-1, 1);
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble(-1, 1);
            float[] expected = new float[m * n], c = new float[m * n], seen = new float[m * n];
            Sgemm.multiply(m, n, k, a, 0, k, 1, b, 0, n, 1, expected, 0, n, false);
            int[] visits = new int[m * n];
            Sgemm.multiply(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false, (row0, rows, col0, cols) -> {
                for (int i = row0; i < row0 + rows; i++) {
                    for (int j = col0; j < col0 + cols; j++) {
                        visits[i * n + j]++;
                        seen[i * n + j] = c[i * n + j]; // what C holds when its block is handed over
                    }
                }
            }, null, 0);
            for (int v : visits) assertEquals(1, v, "every element of C in exactly one block, " + Arrays.toString(mnk));
            assertArrayEquals(expected, seen, "the block was final, " + Arrays.toString(mnk));
        }
    }

    /**
     * One row of A against a row-major B (a decode step's projections: {@link TileGemm}'s one-row tiles in column blocks):
     * the packed kernel's bits at one and two threads, and the epilogue sees every column once.
     */
    @Test
    void oneRowProductsGiveThePackedKernelsBitsAtAnyThreadCount() {
        if (!Sgemm.vectorized()) return;
        // the last two reach 2^18 multiply-adds, so two threads split their columns
        int[][] nk = {{128, 128}, {512, 128}, {128, 512}, {62, 128}, {1, 4096}, {17, 300}, {1000, 70}, {65, 1030}, {601, 450}, {1030, 300}};
        for (int[] s : nk) {
            int n = s[0], k = s[1];
            for (int layoutA = 0; layoutA < 4; layoutA++) {
                boolean accumulate = rnd.nextBoolean();
                Operand a = operand(1, k, layoutA), b = operand(k, n, rnd.nextBoolean() ? 0 : 2);
                float[] packed = new float[n + 3], one = new float[n + 3], two;
                for (int i = 0; i < packed.length; i++) packed[i] = one[i] = (float) rnd.nextDouble(-1, 1);
                two = one.clone();
                SgemmVector.multiply(1, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride,
                        packed, 1, n, accumulate, null, null, 0);
                CpuThreads.setThreads(1);
                Sgemm.multiply(1, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride,
                        one, 1, n, accumulate);
                CpuThreads.setThreads(2);
                int[] visits = new int[n];
                Sgemm.multiply(1, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride,
                        two, 1, n, accumulate, (row0, rows, col0, cols) -> {
                            for (int j = col0; j < col0 + cols; j++) visits[j]++;
                        }, null, 0);
                String where = "seed " + seed + ": 1x" + n + "x" + k + " layout " + layoutA + (accumulate ? " accumulating" : "");
                assertArrayEquals(packed, one, where);
                assertArrayEquals(packed, two, where + " at two threads");
                for (int v : visits) assertEquals(1, v, "every column in exactly one epilogue block, " + where);
            }
        }
    }
}
