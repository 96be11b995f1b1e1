package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.spi.CounterRng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TensorsTest {
    @Test
    void constantsAndRanges() {
        assertArrayEquals(new float[6], Tensors.zeros(2, 3).toFloatArray());
        assertEquals(DType.FLOAT32, Tensors.ones(2).dtype());
        assertArrayEquals(new long[] {7, 7}, Tensors.full(Shape.of(2), 7.9, DType.INT64).toLongArray());
        assertArrayEquals(new boolean[] {true}, Tensors.ones(Shape.of(1), DType.BOOL).toBooleanArray());
        assertEquals(Shape.scalar(), Tensors.scalar(2.5).shape());
        assertEquals(DType.INT32, Tensors.scalar(3, DType.INT32).dtype());
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensors.eye(3).toFloatArray());
        assertArrayEquals(new long[] {0, 1, 2, 3}, Tensors.arange(4).toLongArray());
        assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f}, Tensors.arange(1, 3, 0.5).toFloatArray());
        assertArrayEquals(new float[] {3, 2, 1}, Tensors.arange(3, 0, -1).toFloatArray());
        assertEquals(0, Tensors.arange(0).size());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1}, Tensors.linspace(0, 1, 5).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Tensors.arange(0, 1, 0));
    }

    @Test
    void fromJavaArrays() {
        Tensor m = Tensors.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        assertEquals(Shape.of(2, 3), m.shape());
        assertEquals(6.0, m.get(1, 2));
        assertEquals(Shape.of(2, 1, 2), Tensors.of(new float[][][] {{{1, 2}}, {{3, 4}}}).shape());
        assertEquals(DType.FLOAT64, Tensors.of(new double[][] {{1}}).dtype());
        assertEquals(DType.INT32, Tensors.of(new int[] {1}).dtype());
        assertEquals(DType.INT64, Tensors.of(new long[] {1}).dtype());
        assertEquals(DType.BOOL, Tensors.of(new boolean[] {true}).dtype());
        assertEquals(Shape.of(2, 2), Tensors.of(new int[] {1, 2, 3, 4}, 2, 2).shape());
        float[] data = {1, 2};
        Tensor t = Tensors.of(data);
        data[0] = 99;
        assertEquals(1.0, t.get(0), "of() copies");
        var e = assertThrows(IllegalArgumentException.class, () -> Tensors.of(new float[] {1, 2, 3}, 2, 2));
        assertEquals("of: 3 values do not fill shape [2, 2] (4 elements)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensors.of(new float[][] {{1, 2}, {3}}));
    }

    @Test
    void randomIsReproducibleAndSeedsDiffer() {
        Shape s = Shape.of(50, 40);
        assertArrayEquals(Tensors.uniform(s, 5).toFloatArray(), Tensors.uniform(s, 5).toFloatArray());
        assertFalse(Arrays.equals(Tensors.uniform(s, 5).toFloatArray(), Tensors.uniform(s, 6).toFloatArray()));
        assertArrayEquals(Tensors.normal(s, 1, 2, 5).toFloatArray(), Tensors.normal(s, 1, 2, 5).toFloatArray());
        // The values are the generator's, element by element in row-major order.
        assertEquals(CounterRng.uniform(5, 123), Tensors.uniform(s, 5).toFloatArray()[123]);
    }

    @Test
    void randomDistributionsHaveTheirMoments() {
        Tensor u = Tensors.uniform(Shape.of(20000), -1, 3, 1);
        assertEquals(1.0, u.mean().item(), 0.05);
        assertTrue(u.min().item() >= -1 && u.max().item() < 3);
        Tensor n = Tensors.normal(Shape.of(20000), 2, 0.5, 2);
        assertEquals(2.0, n.mean().item(), 0.02);
        assertEquals(0.5, n.std(null, 1, false).item(), 0.02);
        Tensor b = Tensors.bernoulli(Shape.of(20000), 0.25, 3);
        assertEquals(0.25, b.mean().item(), 0.02);
        Tensor r = Tensors.randint(Shape.of(20000), -2, 3, 4);
        assertEquals(DType.INT64, r.dtype());
        long[] counts = new long[5];
        for (long v : r.toLongArray()) counts[(int) v + 2]++;
        for (long c : counts) assertEquals(4000, c, 300);
    }

    @Test
    void castToANullDtypeIsRefusedNamingTheCast() {
        // a NullPointerException from inside the dispatcher before
        var e = assertThrows(IllegalArgumentException.class, () -> Tensors.ones(2, 3).cast(null));
        assertEquals("cast: the target dtype of float32[2, 3] is null; expected one of [bool, int32, int64, float32, float64]", e.getMessage());
    }

    @Test
    void permutationContainsEveryIndexOnce() {
        long[] p = Tensors.permutation(100, 9).toLongArray();
        long[] sorted = p.clone();
        Arrays.sort(sorted);
        assertArrayEquals(Tensors.arange(100).toLongArray(), sorted);
        assertNotEquals(Arrays.toString(sorted), Arrays.toString(p));
        assertArrayEquals(p, Tensors.permutation(100, 9).toLongArray());
    }

    @Test
    void counterRngUniformHas24BitsInTheUnitInterval() {
        for (int i = 0; i < 1000; i++) {
            float u = CounterRng.uniform(77, i);
            assertTrue(u >= 0 && u < 1);
            assertEquals(u, Math.scalb((float) Math.round(Math.scalb(u, 24)), -24));
            assertTrue(Float.isFinite(CounterRng.normal(77, i)));
        }
    }
}
