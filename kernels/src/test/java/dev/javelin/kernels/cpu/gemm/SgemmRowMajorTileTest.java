package dev.javelin.kernels.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SgemmRowMajorTile against Sgemm on random shapes around its edges (rows past the last 8-row panel, 4 of them
 * exactly, a partial last column strip, C narrower than a strip, k over one block, tiny products on the plain
 * loops), A, B and C with padded rows: both compute one fma chain per element in p order, so the bits must be the same.
 */
class SgemmRowMajorTileTest {
    private final long seed = System.nanoTime();
    private final SplittableRandom rnd = new SplittableRandom(seed);

    @Test
    void sameBitsAsSgemmOverRandomShapes() {
        int[] rows = {1, 3, 4, 8, 12, 20, 61, 64, 100}, cols = {1, 10, 16, 31, 32, 33, 64, 70, 100};
        for (int trial = 0; trial < 120; trial++) {
            int m = rows[rnd.nextInt(rows.length)], n = cols[rnd.nextInt(cols.length)], k = trial % 10 == 0 ? rnd.nextInt(513, 1100) : rnd.nextInt(1, 300);
            int lda = k + rnd.nextInt(0, 3), ldb = n + rnd.nextInt(0, 3), ldc = n + rnd.nextInt(0, 3);
            float[] a = random(2 + m * lda), b = random(1 + k * ldb), c0 = random(m * ldc);
            float[] expected = c0.clone(), actual = c0.clone();
            Sgemm.multiply(m, n, k, a, 2, lda, 1, b, 1, ldb, 1, expected, 0, ldc, false);
            SgemmRowMajorTile.multiply(m, n, k, a, 2, lda, b, 1, ldb, actual, 0, ldc);
            assertArrayEquals(expected, actual, "seed " + seed + " trial " + trial + ": m=" + m + " n=" + n + " k=" + k);
        }
    }

    private float[] random(int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) rnd.nextDouble(-1, 1);
        return x;
    }
}
