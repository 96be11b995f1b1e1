package dev.javelin.highlevel.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetTest {
    /** x[i] = [i, 10 i], y[i] = i: so every batch says which examples it holds. */
    private static Dataset numbered(int n) {
        float[][] x = new float[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = new float[] {i, 10 * i};
            y[i] = i;
        }
        return Dataset.fromArrays(x, y);
    }

    private static List<Long> order(Iterable<Batch> batches) {
        List<Long> ids = new ArrayList<>();
        for (Batch b : batches) {
            long[] y = b.y().toLongArray();
            float[] x = b.x().toFloatArray();
            for (int i = 0; i < y.length; i++) {
                assertEquals(y[i], (long) x[2 * i], "x and y rows stay together");
                assertEquals(10 * y[i], (long) x[2 * i + 1]);
                ids.add(y[i]);
            }
        }
        return ids;
    }

    @Test
    void batchesInOrderWithASmallerLastBatch() {
        Dataset d = numbered(10).batch(4);
        assertEquals(3, d.batchCount());
        List<int[]> shapes = new ArrayList<>();
        for (Batch b : d) shapes.add(b.x().shape().toArray());
        assertArrayEquals(new int[] {4, 2}, shapes.get(0));
        assertArrayEquals(new int[] {2, 2}, shapes.get(2));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), order(d));
        assertEquals(DType.INT64, d.iterator().next().y().dtype());
    }

    @Test
    void dropRemainderLeavesOutTheLastSmallBatch() {
        Dataset d = numbered(10).batch(4, true);
        assertEquals(2, d.batchCount());
        assertEquals(8, order(d).size());
    }

    @Test
    void shuffleIsAPermutationThatChangesEachEpochAndIsReproducible() {
        Dataset a = numbered(50).shuffle(7).batch(8);
        Dataset b = numbered(50).shuffle(7).batch(8);
        List<Long> a0 = order(a);
        List<Long> a1 = order(a);
        assertEquals(a0, order(b), "same seed, same first epoch");
        assertEquals(a1, order(b), "same seed, same second epoch");
        assertFalse(a0.equals(a1), "each epoch is reshuffled");
        List<Long> sorted = new ArrayList<>(a0);
        sorted.sort(null);
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 50; i++) expected.add(i);
        assertEquals(expected, sorted, "a permutation: every example once");
        assertFalse(a0.equals(order(numbered(50).shuffle(8).batch(8).epoch(0))), "another seed, another order");
        assertEquals(a1, order(a.epoch(1)), "epoch(n) replays epoch n");
    }

    @Test
    void mapAppliesToBatches() {
        Dataset d = numbered(6).batch(3).map(b -> new Batch(scale(b.x(), 2), b.y()));
        Batch first = d.iterator().next();
        assertArrayEquals(new float[] {0, 0, 2, 20, 4, 40}, first.x().toFloatArray());
    }

    private static Tensor scale(Tensor t, float s) {
        float[] f = t.toFloatArray();
        for (int i = 0; i < f.length; i++) f[i] *= s;
        return Tensor.wrap(HeapStorage.wrap(f), t.shape());
    }

    @Test
    void takeAndSkipSplitExamples() {
        Dataset d = numbered(10);
        assertEquals(List.of(0L, 1L, 2L), order(d.take(3).batch(2)));
        assertEquals(List.of(7L, 8L, 9L), order(d.skip(7)));
        assertEquals(List.of(3L, 4L), order(d.skip(3).take(2)));
        assertArrayEquals(new long[] {8, 9}, d.skip(8).y().toLongArray());
        assertEquals(Shape.of(2, 2), d.skip(8).x().shape());
        List<Long> shuffled = order(d.skip(5).shuffle(1));
        shuffled.sort(null);
        assertEquals(List.of(5L, 6L, 7L, 8L, 9L), shuffled);
    }

    @Test
    void inputsOnlyAndNonContiguousSources() {
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor x = Tensor.wrap(HeapStorage.wrap(data), Shape.of(2, 3)).transpose(0, 1); // [3, 2], a view
        Dataset d = Dataset.fromTensors(x).batch(2);
        Batch b = d.iterator().next();
        assertNull(b.y());
        assertArrayEquals(new float[] {1, 4, 2, 5}, b.x().toFloatArray());
    }

    @Test
    void rejectsMismatchedInputs() {
        Tensor x = Tensor.wrap(HeapStorage.wrap(new float[6]), Shape.of(3, 2));
        Tensor y = Tensor.wrap(HeapStorage.wrap(new long[2]), Shape.of(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.fromTensors(x, y));
        assertEquals("Dataset.fromTensors: x [3, 2] has 3 examples but y [2] has 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> numbered(3).batch(0));
        assertThrows(IllegalArgumentException.class, () -> numbered(3).take(4));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.fromArrays(new float[][] {{1, 2}, {3}}, new int[] {0, 1}));
        assertEquals(Arrays.asList(0L, 1L, 2L), order(numbered(3)));
    }
}
