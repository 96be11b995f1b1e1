package dev.javelin.testing;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Seeded random test inputs: shapes that include odd sizes, 1 and 0; values of every dtype; and the
 * same values laid out as non-contiguous views (transposed, strided, offset, broadcast), built
 * directly on storage so they do not depend on any op under test.
 *
 * <pre>{@code
 * RandomTensors r = new RandomTensors(42);
 * Shape s = r.shape(3, 7);                       // e.g. [5, 1, 0] or [7, 3]
 * Tensor x = r.uniform(s, DType.FLOAT32);
 * Tensor v = r.transposedView(x);                // same values, non-contiguous
 * }</pre>
 */
public final class RandomTensors {
    private final SplittableRandom random;

    public RandomTensors(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A random int in [lo, hi]. */
    public int nextInt(int lo, int hi) {
        return random.nextInt(lo, hi + 1);
    }

    /** A shape of rank 1..maxRank with dims in [1, maxDim], odd sizes favoured; rarely a 0 dim. */
    public Shape shape(int maxRank, int maxDim) {
        int rank = nextInt(1, maxRank);
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            int pick = random.nextInt(10);
            if (pick == 0) d[i] = 1;
            else if (pick == 1) d[i] = 0;
            else if (pick < 6) d[i] = Math.min(nextInt(1, maxDim) | 1, maxDim); // odd sizes catch vector-tail bugs
            else d[i] = nextInt(1, maxDim);
        }
        return Shape.of(d);
    }

    /** A shape that broadcasts to {@code target}: some leading axes dropped, some dims set to 1. */
    public Shape broadcastableTo(Shape target) {
        int drop = nextInt(0, target.rank());
        int[] d = target.sub(drop, target.rank()).toArray();
        for (int i = 0; i < d.length; i++) if (random.nextInt(3) == 0) d[i] = 1;
        return Shape.of(d);
    }

    /** Dense random values: floats uniform in [-2, 2), ints in [-5, 5], bools fair. */
    public Tensor uniform(Shape shape, DType dtype) {
        return uniform(shape, dtype, -2, 2);
    }

    /** Dense random values: floats uniform in [lo, hi); ints uniform in [floor(lo), ceil(hi)]; bools fair. */
    public Tensor uniform(Shape shape, DType dtype, double lo, double hi) {
        int n = shape.sizeAsInt();
        HeapStorage h = HeapStorage.allocate(dtype, n);
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case FLOAT32, FLOAT64 -> h.setDouble(i, lo + (hi - lo) * random.nextDouble());
                case INT32, INT64 -> h.setLong(i, random.nextLong((long) Math.floor(lo), (long) Math.ceil(hi) + 1));
                case BOOL -> h.setDouble(i, random.nextBoolean() ? 1 : 0);
            }
        }
        return Tensor.wrap(h, shape);
    }

    /** Normal(0, 1) float32 values. */
    public Tensor normal(Shape shape) {
        Random g = new Random(random.nextLong());
        int n = shape.sizeAsInt();
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) g.nextGaussian();
        return Tensor.wrap(HeapStorage.wrap(a), shape);
    }

    /** Integer labels in [0, classes) of {@code dtype} (int32 or int64). */
    public Tensor labels(Shape shape, int classes, DType dtype) {
        int n = shape.sizeAsInt();
        HeapStorage h = HeapStorage.allocate(dtype, n);
        for (int i = 0; i < n; i++) h.setLong(i, random.nextInt(classes));
        return Tensor.wrap(h, shape);
    }

    /** The same values as {@code x}, stored axis-reversed (column-major for matrices): a non-contiguous view. */
    public Tensor transposedView(Tensor x) {
        int r = x.rank();
        int[] dims = x.shape().toArray();
        int[] revDims = new int[r];
        for (int d = 0; d < r; d++) revDims[d] = dims[r - 1 - d];
        int[] revStrides = Shape.of(revDims).contiguousStrides();
        int[] strides = new int[r];
        for (int d = 0; d < r; d++) strides[d] = revStrides[r - 1 - d];
        return copyInto(x, strides, 0, x.shape().sizeAsInt());
    }

    /**
     * The same values as {@code x}, every axis stepping over a gap and starting at an offset, as a
     * slice {@code base[1::2, 1::2, ...]} of a larger tensor would.
     */
    public Tensor stridedView(Tensor x) {
        int r = x.rank();
        int[] dims = x.shape().toArray();
        int[] strides = new int[r];
        int acc = 1, offset = 0;
        for (int d = r - 1; d >= 0; d--) {
            strides[d] = 2 * acc;
            offset += acc;
            acc *= 2 * Math.max(dims[d], 1) + 1;
        }
        return copyInto(x, strides, offset, acc);
    }

    /** A random choice of dense copy, transposed view or strided view of {@code x}'s values. */
    public Tensor anyLayout(Tensor x) {
        return switch (random.nextInt(3)) {
            case 0 -> copyInto(x, x.shape().contiguousStrides(), 0, x.shape().sizeAsInt());
            case 1 -> transposedView(x);
            default -> stridedView(x);
        };
    }

    private static Tensor copyInto(Tensor x, int[] strides, int offset, int length) {
        HeapStorage src = x.toHost();
        HeapStorage dst = HeapStorage.allocate(x.dtype(), Math.max(length, 1));
        int[] dims = x.shape().toArray();
        int[] idx = new int[dims.length];
        int n = x.shape().sizeAsInt();
        for (int i = 0; i < n; i++) {
            int pos = offset;
            for (int d = 0; d < dims.length; d++) pos += idx[d] * strides[d];
            if (x.dtype().isInteger()) dst.setLong(pos, src.getLong(i));
            else dst.setDouble(pos, src.getDouble(i));
            for (int d = dims.length - 1; d >= 0; d--) {
                if (++idx[d] < dims[d]) break;
                idx[d] = 0;
            }
        }
        return Tensor.wrap(dst, x.shape(), strides, offset);
    }
}
