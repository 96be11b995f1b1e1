package dev.javelin.highlevel.initializers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Seeds;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Keras's initializer rules: bounds and spreads from fan-in/fan-out, seeds, names. */
class InitializersTest {
    private static double[] stats(float[] v) {
        double mean = 0;
        for (float f : v) mean += f;
        mean /= v.length;
        double var = 0;
        for (float f : v) var += (f - mean) * (f - mean);
        return new double[] {mean, Math.sqrt(var / v.length)};
    }

    @Test
    void glorotUniformStaysWithinItsLimitAndFillsIt() {
        float[] w = new GlorotUniform(1L).apply(Shape.of(3, 3, 16, 32), DType.FLOAT32).toFloatArray();
        double limit = Math.sqrt(6.0 / (9 * 16 + 9 * 32)); // fans of an HWIO kernel
        double max = 0;
        for (float f : w) max = Math.max(max, Math.abs(f));
        assertTrue(max <= limit && max > 0.95 * limit, max + " vs " + limit);
        assertEquals(limit / Math.sqrt(3), stats(w)[1], 0.03 * limit);
    }

    @Test
    void heNormalHasKerasSpread() {
        float[] w = new HeNormal(2L).apply(Shape.of(400, 300), DType.FLOAT32).toFloatArray();
        double[] s = stats(w);
        assertEquals(0, s[0], 0.005);
        assertEquals(Math.sqrt(2.0 / 400), s[1], 0.03 * Math.sqrt(2.0 / 400)); // truncated normal rescaled to the target std
        double bound = 2 * Math.sqrt(2.0 / 400) / 0.87962566103423978;
        for (float f : w) assertTrue(Math.abs(f) <= bound + 1e-6);
    }

    @Test
    void seedsMakeValuesReproducible() {
        assertArrayEquals(new HeUniform(5L).apply(Shape.of(7), DType.FLOAT32).toFloatArray(),
                new HeUniform(5L).apply(Shape.of(7), DType.FLOAT32).toFloatArray());
        Seeds.setGlobal(3);
        float[] a = new GlorotUniform().apply(Shape.of(9), DType.FLOAT32).toFloatArray();
        float[] b = new GlorotUniform().apply(Shape.of(9), DType.FLOAT32).toFloatArray();
        Seeds.setGlobal(3);
        assertArrayEquals(a, new GlorotUniform().apply(Shape.of(9), DType.FLOAT32).toFloatArray());
        assertFalse(Arrays.equals(a, b), "successive draws differ");
    }

    @Test
    void constantsAndNames() {
        assertArrayEquals(new float[] {0, 0}, new Zeros().apply(Shape.of(2), DType.FLOAT32).toFloatArray());
        assertArrayEquals(new double[] {1, 1}, new Ones().apply(Shape.of(2), DType.FLOAT64).toDoubleArray());
        assertEquals(HeNormal.class, Initializers.get("he_normal").getClass());
        assertEquals(GlorotUniform.class, Initializers.get("GlorotUniform").getClass());
        float[] n = new RandomNormal(3, 0.5, 1L).apply(Shape.of(20000), DType.FLOAT32).toFloatArray();
        assertEquals(3, stats(n)[0], 0.02);
        assertEquals(0.5, stats(n)[1], 0.02);
        var e = assertThrows(IllegalArgumentException.class, () -> Initializers.get("no_such_initializer"));
        assertTrue(e.getMessage().contains("no_such_initializer") && e.getMessage().contains("glorot_uniform"));
        assertThrows(IllegalArgumentException.class, () -> new Zeros().apply(Shape.of(2), DType.INT64));
    }

    /** Orthonormal rows when wide, orthonormal columns when tall, times the gain (Keras's Orthogonal). */
    @Test
    void orthogonal() {
        for (int[] rc : new int[][] {{3, 8}, {8, 3}, {5, 5}}) {
            int rows = rc[0], cols = rc[1];
            double[] m = new Orthogonal(2.0, 7L).apply(Shape.of(rows, cols), DType.FLOAT64).toDoubleArray();
            boolean wide = rows < cols;
            int k = Math.min(rows, cols), len = Math.max(rows, cols);
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    double dot = 0;
                    for (int i = 0; i < len; i++) dot += wide ? m[a * cols + i] * m[b * cols + i] : m[i * cols + a] * m[i * cols + b];
                    assertEquals(a == b ? 4.0 : 0.0, dot, 1e-9);
                }
            }
        }
        assertEquals(Orthogonal.class, Initializers.get("orthogonal").getClass());
    }
}
