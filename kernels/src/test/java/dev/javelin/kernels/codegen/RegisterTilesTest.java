package dev.javelin.kernels.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every generated register tile ({@link RegisterTiles}) against the chain it defines, written as scalar loops:
 * {@code c = fma(A[r][p], B[p][j], c)} for p in order (or {@code c + B[p][j]} for the sums tile), from the stored
 * C or from 0, over A strides given as constants and as arguments, B's vectors in one run or in groups, one
 * segment or several, indices from the step or running, random sizes including k = 0 and k = 1, and offsets that leave values around the tile
 * that it must not touch. Bits compared exactly (the lanes' FMA equals {@link Math#fma}).
 */
class RegisterTilesTest {
    private static final int L = KernelSupport.S.length();

    @Test
    void eachShapeGivesItsScalarChainsBits() {
        Random random = new Random(12L);
        int[][] shapes = {{8, 2, 2}, {4, 2, 2}, {4, 4, 4}, {8, 1, 1}, {4, 1, 1}, {1, 4, 4}, {1, 1, 1}, {1, 8, 2}, {3, 6, 3}};
        for (int[] shape : shapes) {
            for (int strides = 0; strides < 3; strides++) {
                for (int kind = 0; kind < 6; kind++) {
                    boolean sums = kind % 2 == 1, running = kind >= 2, cGrouped = kind >= 4;
                    if (sums && shape[0] != 1) continue;
                    int rows = shape[0], vectors = shape[1], group = shape[2];
                    // packed (constant row stride 1, step rows+1), in place (row stride an argument, step 1), both arguments
                    int ars = strides == 0 ? 1 : RegisterTiles.ARG, acs = strides == 0 ? rows + 1 : strides == 1 ? 1 : RegisterTiles.ARG;
                    RegisterTile tile = RegisterTiles.of(new RegisterTiles.Shape(rows, vectors, group, ars, acs, sums, running, cGrouped));
                    for (int trial = 0; trial < 6; trial++) check(random, tile, rows, vectors, group, ars, acs, sums, cGrouped);
                }
            }
        }
    }

    private static void check(Random random, RegisterTile tile, int rows, int vectors, int group, int ars, int acs, boolean sums,
                              boolean cGrouped) {
        int kc = random.nextInt(4) == 0 ? random.nextInt(2) : 1 + random.nextInt(40), segments = 1 + random.nextInt(3);
        boolean load = random.nextBoolean(), segmented = random.nextBoolean();
        if (!segmented) segments = 1;
        int rowStride = ars == RegisterTiles.ARG ? kc + 1 + random.nextInt(5) : ars;
        int colStride = acs == RegisterTiles.ARG ? rows * (1 + random.nextInt(2)) + 1 : acs;
        if (acs == RegisterTiles.ARG && random.nextBoolean()) { rowStride = 1; colStride = rows + 2; } // a transposed A
        int aSegment = 1 + (rows - 1) * rowStride + Math.max(1, kc) * colStride + random.nextInt(7);
        int groups = vectors / group, bStep = group * L + random.nextInt(9), bGroup = kc * bStep + random.nextInt(5);
        if (cGrouped) { // C's groups as B's: a row's last columns, the groups overlapping when bGroup < group·L
            bStep = groups * (group * L + 8);
            bGroup = 1 + random.nextInt(group * L + 8);
        }
        int bSegment = bGroup * groups + kc * bStep + random.nextInt(5), ldc = groups * (group * L + 8) + random.nextInt(11);
        int ai = random.nextInt(5), bi = random.nextInt(5), ci = random.nextInt(5);
        float[] a = values(random, ai + segments * aSegment + 3), b = values(random, bi + segments * bSegment + 3);
        float[] c = values(random, ci + rows * ldc + 3), expected = c.clone();
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < vectors; v++) {
                for (int lane = 0; lane < L; lane++) {
                    int at = ci + r * ldc + (cGrouped ? (v / group) * bGroup + (v % group) * L : v * L) + lane;
                    float acc = load ? c[at] : 0f;
                    for (int s = 0; s < segments; s++) {
                        for (int p = 0; p < kc; p++) {
                            float bv = b[bi + s * bSegment + p * bStep + (v / group) * bGroup + (v % group) * L + lane];
                            acc = sums ? acc + bv : Math.fma(a[ai + s * aSegment + r * rowStride + p * colStride], bv, acc);
                        }
                    }
                    expected[at] = acc;
                }
            }
        }
        if (segmented) {
            tile.runSegments(segments, aSegment, bSegment, kc, a, ai, rowStride, colStride, b, bi, bStep, bGroup, c, ci, ldc, load);
        } else {
            tile.run(kc, a, ai, rowStride, colStride, b, bi, bStep, bGroup, c, ci, ldc, load);
        }
        assertArrayEquals(expected, c, "rows=" + rows + " vectors=" + vectors + " group=" + group + " ars=" + ars + " acs=" + acs
                + " sums=" + sums + " cGrouped=" + cGrouped + " kc=" + kc + " segments=" + segments + " load=" + load);
    }

    @Test
    void refusesAShapeItCannotGenerate() {
        assertThrows(IllegalArgumentException.class, () -> new RegisterTiles.Shape(0, 2, 2, 1, 8, false));
        assertThrows(IllegalArgumentException.class, () -> new RegisterTiles.Shape(8, 3, 2, 1, 8, false));
        assertThrows(IllegalArgumentException.class, () -> new RegisterTiles.Shape(2, 2, 2, 1, 8, true));
    }

    private static float[] values(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = random.nextFloat() * 2 - 1;
        return v;
    }
}
