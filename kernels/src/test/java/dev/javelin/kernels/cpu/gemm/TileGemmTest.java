package dev.javelin.kernels.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * TileGemm against Sgemm on random shapes around its blocks (4 and 8 rows, 1, 2 and 4 vectors, the last
 * 1-3 vectors of a wider C apart (80, 100, 112), scalar tails; size 1; k = 0), A row-major, transposed and strided, B rows padded or repeated (ldb 0), overwrite and
 * accumulate; and its scalar path (no Vector API) likewise: all compute one fma chain per element in p order, so the bits
 * must be the same.
 */
class TileGemmTest {
    private final long seed = System.nanoTime();
    private final SplittableRandom rnd = new SplittableRandom(seed);

    @Test
    void sameBitsAsSgemmOverRandomShapesAndLayouts() {
        int[] sizes = {1, 3, 4, 5, 15, 16, 17, 32, 33, 48, 64, 65, 70, 80, 100, 112, 129};
        for (int trial = 0; trial < 200; trial++) {
            int m = sizes[rnd.nextInt(sizes.length)], n = sizes[rnd.nextInt(sizes.length)], k = rnd.nextInt(0, 70);
            boolean transposedA = rnd.nextBoolean(), accumulate = rnd.nextBoolean(), repeatB = trial % 17 == 0;
            int aPad = rnd.nextInt(0, 3), ldb = repeatB ? 0 : n + rnd.nextInt(0, 3), ldc = n + rnd.nextInt(0, 3), aOff = rnd.nextInt(0, 4);
            int ars = transposedA ? 1 : k + aPad, acs = transposedA ? m + aPad : 1;
            float[] a = random(aOff + m * k + (m + k) * aPad + 1), b = random(7 + Math.max(1, k) * (n + 3)), c0 = random(m * ldc + 2);
            float[] expected = c0.clone(), actual = c0.clone();
            Sgemm.multiply(m, n, k, a, aOff, ars, acs, b, 7, ldb, 1, expected, 1, ldc, accumulate);
            TileGemm.multiply(m, n, k, a, aOff, ars, acs, b, 7, ldb, actual, 1, ldc, accumulate);
            String what = "seed " + seed + " trial " + trial + ": m=" + m + " n=" + n + " k=" + k + " transposedA=" + transposedA
                    + " accumulate=" + accumulate + " ldb=" + ldb;
            assertArrayEquals(expected, actual, what);
            float[] scalar = c0.clone(); // TileGemm's path without the Vector API
            SgemmScalar.rows(0, m, n, k, a, aOff, ars, acs, b, 7, ldb, scalar, 1, ldc, accumulate);
            assertArrayEquals(expected, scalar, "scalar path, " + what);
        }
    }

    @Test
    void overlappingRowsOfCAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TileGemm.multiply(2, 4, 1, new float[2], 0, 1, 1, new float[4], 0, 4, new float[8], 0, 3, false));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("ldc=3"), e.getMessage());
    }

    private float[] random(int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) rnd.nextDouble(-1, 1);
        return x;
    }
}
