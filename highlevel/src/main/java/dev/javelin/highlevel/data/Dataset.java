package dev.javelin.highlevel.data;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * An in-memory dataset of examples (inputs {@code x} and optional targets {@code y}, batch first)
 * that yields {@link Batch}es: the small cousin of {@code tf.data}. Datasets are immutable;
 * {@link #batch}, {@link #shuffle}, {@link #map}, {@link #take} and {@link #skip} return new ones.
 *
 * <p>Each {@link #iterator()} is one epoch. With {@link #shuffle(long)} the examples are permuted
 * afresh for every epoch, and the sequence of permutations depends only on the seed: two datasets
 * built the same way yield the same batches, epoch after epoch. {@link #epoch(int)} gives the
 * batches of one particular epoch. Shuffling always permutes examples before batching, and
 * {@link #map} functions apply to the finished batches in the order they were added.
 *
 * <pre>{@code
 * Dataset train = Dataset.fromTensors(x, y).shuffle(42).batch(128);
 * for (Batch b : train) { ... }                     // epoch 0
 * for (Batch b : train) { ... }                     // epoch 1, a different order
 * }</pre>
 */
public final class Dataset implements Iterable<Batch> {
    /** Keras's default batch size. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    private final Tensor x;
    private final Tensor y;
    private final int start;
    private final int count;
    private final int batchSize;
    private final boolean dropRemainder;
    private final Long seed;
    private final List<UnaryOperator<Batch>> maps;
    private final AtomicInteger epochs = new AtomicInteger();

    private Dataset(Tensor x, Tensor y, int start, int count, int batchSize, boolean dropRemainder, Long seed,
                    List<UnaryOperator<Batch>> maps) {
        this.x = x;
        this.y = y;
        this.start = start;
        this.count = count;
        this.batchSize = batchSize;
        this.dropRemainder = dropRemainder;
        this.seed = seed;
        this.maps = List.copyOf(maps);
    }

    /**
     * A dataset over the rows (first dimension) of {@code x} and {@code y}; the tensors are copied
     * to dense host storage once.
     *
     * @param y the targets, or null for inputs only
     */
    public static Dataset fromTensors(Tensor x, Tensor y) {
        Objects.requireNonNull(x, "x");
        requireRows("x", x);
        if (y != null) {
            requireRows("y", y);
            if (y.dim(0) != x.dim(0)) {
                throw new IllegalArgumentException("Dataset.fromTensors: x " + x.shape() + " has " + x.dim(0)
                        + " examples but y " + y.shape() + " has " + y.dim(0));
            }
        }
        Tensor hx = dense(x);
        Tensor hy = y == null ? null : dense(y);
        return new Dataset(hx, hy, 0, x.dim(0), DEFAULT_BATCH_SIZE, false, null, List.of());
    }

    /** A dataset of inputs only (for prediction). */
    public static Dataset fromTensors(Tensor x) {
        return fromTensors(x, null);
    }

    /** Feature rows with integer class labels: x float32 [N, F], y int64 [N]. */
    public static Dataset fromArrays(float[][] x, int[] labels) {
        long[] y = new long[labels.length];
        for (int i = 0; i < y.length; i++) y[i] = labels[i];
        return fromTensors(matrix("fromArrays", x), Tensor.wrap(HeapStorage.wrap(y), Shape.of(y.length)));
    }

    /** Feature rows with target rows: x float32 [N, F], y float32 [N, K]. */
    public static Dataset fromArrays(float[][] x, float[][] y) {
        return fromTensors(matrix("fromArrays", x), matrix("fromArrays", y));
    }

    /** The same examples in batches of {@code size}; the last batch may be smaller. */
    public Dataset batch(int size) {
        return batch(size, false);
    }

    /** The same examples in batches of {@code size}; when {@code dropRemainder}, a last smaller batch is left out. */
    public Dataset batch(int size, boolean dropRemainder) {
        if (size < 1) throw new IllegalArgumentException("Dataset.batch: batch size must be >= 1, got " + size);
        return new Dataset(x, y, start, count, size, dropRemainder, seed, maps);
    }

    /** The same examples, permuted afresh each epoch by a generator seeded with {@code seed}. */
    public Dataset shuffle(long seed) {
        return new Dataset(x, y, start, count, batchSize, dropRemainder, seed, maps);
    }

    /** The same examples without shuffling. */
    public Dataset unshuffled() {
        return new Dataset(x, y, start, count, batchSize, dropRemainder, null, maps);
    }

    /** Applies {@code fn} to every batch, after the functions already added. */
    public Dataset map(UnaryOperator<Batch> fn) {
        Objects.requireNonNull(fn, "fn");
        List<UnaryOperator<Batch>> m = new ArrayList<>(maps);
        m.add(fn);
        return new Dataset(x, y, start, count, batchSize, dropRemainder, seed, m);
    }

    /** The first {@code n} examples (before any shuffling): e.g. a training split. */
    public Dataset take(int n) {
        if (n < 0 || n > count) {
            throw new IllegalArgumentException("Dataset.take: " + n + " examples asked of a dataset of " + count);
        }
        return new Dataset(x, y, start, n, batchSize, dropRemainder, seed, maps);
    }

    /** All but the first {@code n} examples (before any shuffling): e.g. a validation split. */
    public Dataset skip(int n) {
        if (n < 0 || n > count) {
            throw new IllegalArgumentException("Dataset.skip: " + n + " examples skipped of a dataset of " + count);
        }
        return new Dataset(x, y, start + n, count - n, batchSize, dropRemainder, seed, maps);
    }

    /** The number of examples. */
    public int size() {
        return count;
    }

    /** The number of batches one epoch yields. */
    public int batchCount() {
        return dropRemainder ? count / batchSize : (count + batchSize - 1) / batchSize;
    }

    /** The examples per batch (the last may hold fewer). */
    public int batchSize() {
        return batchSize;
    }

    /** True when targets are present. */
    public boolean hasTargets() {
        return y != null;
    }

    /** All inputs in their stored order (no shuffling or mapping). */
    public Tensor x() {
        return rows(x, identity());
    }

    /** All targets in their stored order, or null. */
    public Tensor y() {
        return y == null ? null : rows(y, identity());
    }

    /** One epoch: the next epoch number for this dataset (0, 1, 2, ...). */
    @Override
    public Iterator<Batch> iterator() {
        return epoch(epochs.getAndIncrement()).iterator();
    }

    /** The batches of epoch {@code epoch}: the same every time it is asked for. */
    public Iterable<Batch> epoch(int epoch) {
        int[] order = seed == null ? identity() : permutation(seed, epoch, count);
        int batches = batchCount();
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < batches;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException("Dataset: epoch " + epoch + " has " + batches + " batches");
                int from = next * batchSize;
                int to = Math.min(count, from + batchSize);
                next++;
                int[] idx = java.util.Arrays.copyOfRange(order, from, to);
                Batch b = new Batch(rows(x, idx), y == null ? null : rows(y, idx));
                for (UnaryOperator<Batch> fn : maps) b = fn.apply(b);
                return b;
            }
        };
    }

    /** The permutation of {@code n} examples for one epoch: Fisher-Yates from a generator keyed by seed and epoch. */
    static int[] permutation(long seed, int epoch, int n) {
        SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1L)));
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private int[] identity() {
        int[] p = new int[count];
        for (int i = 0; i < count; i++) p[i] = i;
        return p;
    }

    /** Copies rows {@code start + idx[k]} of a dense host tensor into a new dense tensor. */
    private Tensor rows(Tensor t, int[] idx) {
        HeapStorage src = (HeapStorage) t.storage();
        int[] dims = t.shape().toArray();
        int rowSize = dims[0] == 0 ? 0 : src.length() / dims[0];
        HeapStorage dst = HeapStorage.allocate(t.dtype(), idx.length * rowSize);
        Object from = src.array();
        Object to = dst.array();
        for (int k = 0; k < idx.length; k++) {
            System.arraycopy(from, (start + idx[k]) * rowSize, to, k * rowSize, rowSize);
        }
        dims[0] = idx.length;
        return Tensor.wrap(dst, Shape.of(dims));
    }

    private static void requireRows(String what, Tensor t) {
        if (t.isSymbolic()) {
            throw new IllegalArgumentException("Dataset: " + what + " " + t.dtype() + t.shape() + " is symbolic; a dataset needs data");
        }
        if (t.rank() == 0) {
            throw new IllegalArgumentException("Dataset: " + what + " is a scalar; expected a tensor with a batch dimension first");
        }
    }

    private static Tensor dense(Tensor t) {
        HeapStorage h = t.toHost();
        return Tensor.wrap(h, t.shape());
    }

    private static Tensor matrix(String op, float[][] rows) {
        int n = rows.length;
        int f = n == 0 ? 0 : rows[0].length;
        float[] data = new float[n * f];
        for (int i = 0; i < n; i++) {
            if (rows[i].length != f) {
                throw new IllegalArgumentException("Dataset." + op + ": row " + i + " has " + rows[i].length
                        + " values, row 0 has " + f);
            }
            System.arraycopy(rows[i], 0, data, i * f, f);
        }
        return Tensor.wrap(HeapStorage.wrap(data), Shape.of(n, f));
    }

    @Override
    public String toString() {
        return "Dataset(" + count + " examples, x " + x.dtype() + x.shape().with(0, count)
                + (y == null ? "" : ", y " + y.dtype() + y.shape().with(0, count)) + ", batch " + batchSize
                + (seed == null ? "" : ", shuffled with seed " + seed) + ")";
    }
}
