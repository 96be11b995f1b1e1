package dev.javelin.tensor;

import dev.javelin.tensor.spi.CounterRng;
import dev.javelin.tensor.spi.HeapStorage;

/**
 * Creating tensors: constants, ranges, Java arrays, and seeded random values. Random values come from
 * the counter-based generator ({@link CounterRng}) through {@link Op#RANDOM_UNIFORM} and
 * {@link Op#RANDOM_NORMAL}: the same seed gives the same values on any backend and thread count.
 *
 * <pre>{@code
 * Tensor a = Tensors.of(new float[][] {{1, 2}, {3, 4}});     // float32 [2, 2]
 * Tensor w = Tensors.normal(Shape.of(784, 128), 0, 0.05, 42); // seeded
 * Tensor i = Tensors.arange(10);                              // int64 [0 .. 9]
 * }</pre>
 */
public final class Tensors {
    private Tensors() {}

    // ---- constants ---------------------------------------------------------------------------

    /** float32 zeros of the given dims. */
    public static Tensor zeros(int... dims) { return full(Shape.of(dims), 0, DType.FLOAT32); }

    /** float32 ones of the given dims. */
    public static Tensor ones(int... dims) { return full(Shape.of(dims), 1, DType.FLOAT32); }

    /** Zeros of {@code shape} and {@code dtype}. */
    public static Tensor zeros(Shape shape, DType dtype) { return full(shape, 0, dtype); }

    /** Ones of {@code shape} and {@code dtype}. */
    public static Tensor ones(Shape shape, DType dtype) { return full(shape, 1, dtype); }

    /** Every element {@code value}, converted to {@code dtype} (integers truncate, bool is {@code != 0}). */
    public static Tensor full(Shape shape, double value, DType dtype) {
        HeapStorage h = HeapStorage.allocate(dtype, shape.sizeAsInt());
        if (value != 0) {
            switch (dtype) {
                case FLOAT32 -> java.util.Arrays.fill(h.floats(), (float) value);
                case FLOAT64 -> java.util.Arrays.fill(h.doubles(), value);
                case INT32 -> java.util.Arrays.fill(h.ints(), (int) value);
                case INT64 -> java.util.Arrays.fill(h.longs(), (long) value);
                case BOOL -> java.util.Arrays.fill(h.bools(), true);
            }
        }
        return Tensor.wrap(h, shape);
    }

    /** A 0-dimensional float32 tensor. */
    public static Tensor scalar(double value) { return scalar(value, DType.FLOAT32); }

    /** A 0-dimensional tensor of {@code dtype}. */
    public static Tensor scalar(double value, DType dtype) { return full(Shape.scalar(), value, dtype); }

    /** The identity matrix [n, n], float32. */
    public static Tensor eye(int n) {
        if (n < 0) throw new IllegalArgumentException("eye: size must be >= 0, got " + n);
        Shape.of(n, n).checkFits("eye", "n = " + n);
        float[] a = new float[n * n];
        for (int i = 0; i < n; i++) a[i * n + i] = 1;
        return of(a, n, n);
    }

    // ---- ranges ------------------------------------------------------------------------------

    /** int64 {@code [0, 1, ..., n-1]}. */
    public static Tensor arange(int n) {
        if (n < 0) throw new IllegalArgumentException("arange: n must be >= 0, got " + n);
        Shape.of(n).checkFits("arange", "n = " + n);
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return of(a, n);
    }

    /** float32 {@code start, start+step, ...} below {@code stop} (above it for a negative step), like NumPy. */
    public static Tensor arange(double start, double stop, double step) {
        if (step == 0 || Double.isNaN(step)) throw new IllegalArgumentException("arange: step must be non-zero, got " + step);
        double count = Math.max(0, Math.ceil((stop - start) / step));
        if (!(count <= Shape.MAX_ELEMENTS)) { // NaN (an infinite bound) too
            throw new IllegalArgumentException("arange: " + start + " to " + stop + " by " + step + " gives " + count
                    + " values, more than the limit of " + Shape.MAX_ELEMENTS + " per tensor");
        }
        int n = (int) count;
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (start + i * step);
        return of(a, n);
    }

    /** float32, {@code num} evenly spaced values from {@code start} to {@code stop}, both included. */
    public static Tensor linspace(double start, double stop, int num) {
        if (num < 0) throw new IllegalArgumentException("linspace: num must be >= 0, got " + num);
        Shape.of(num).checkFits("linspace", "num = " + num);
        float[] a = new float[num];
        double step = num > 1 ? (stop - start) / (num - 1) : 0;
        for (int i = 0; i < num; i++) a[i] = (float) (i == num - 1 && num > 1 ? stop : start + i * step);
        return of(a, num);
    }

    // ---- from Java arrays (copied) -----------------------------------------------------------

    /** float32 [n]. */
    public static Tensor of(float[] data) { return of(data, data.length); }

    /** float32 [rows, cols]; rows must have one length. */
    public static Tensor of(float[][] data) {
        int r = data.length, c = r == 0 ? 0 : data[0].length;
        float[] a = new float[r * c];
        for (int i = 0; i < r; i++) {
            if (data[i].length != c) throw ragged("of", i, data[i].length, c);
            System.arraycopy(data[i], 0, a, i * c, c);
        }
        return of(a, r, c);
    }

    /** float32 [d0, d1, d2]; the nesting must be rectangular. */
    public static Tensor of(float[][][] data) {
        int d0 = data.length, d1 = d0 == 0 ? 0 : data[0].length, d2 = d1 == 0 ? 0 : data[0][0].length;
        float[] a = new float[d0 * d1 * d2];
        for (int i = 0; i < d0; i++) {
            if (data[i].length != d1) throw ragged("of", i, data[i].length, d1);
            for (int j = 0; j < d1; j++) {
                if (data[i][j].length != d2) throw ragged("of", j, data[i][j].length, d2);
                System.arraycopy(data[i][j], 0, a, (i * d1 + j) * d2, d2);
            }
        }
        return of(a, d0, d1, d2);
    }

    /** float64 [n]. */
    public static Tensor of(double[] data) { return of(data, data.length); }

    /** float64 [rows, cols]. */
    public static Tensor of(double[][] data) {
        int r = data.length, c = r == 0 ? 0 : data[0].length;
        double[] a = new double[r * c];
        for (int i = 0; i < r; i++) {
            if (data[i].length != c) throw ragged("of", i, data[i].length, c);
            System.arraycopy(data[i], 0, a, i * c, c);
        }
        return of(a, r, c);
    }

    /** int32 [n]. */
    public static Tensor of(int[] data) { return of(data, data.length); }

    /** int64 [n]. */
    public static Tensor of(long[] data) { return of(data, data.length); }

    /** bool [n]. */
    public static Tensor of(boolean[] data) {
        return Tensor.wrap(HeapStorage.wrap(data.clone()), Shape.of(data.length));
    }

    /** float32 of the given dims from row-major {@code data}; {@code Tensors.of(v, 2, 3)}. */
    public static Tensor of(float[] data, int... dims) { return wrapCopy("of", data.clone(), data.length, dims); }

    /** float64 of the given dims from row-major {@code data}. */
    public static Tensor of(double[] data, int... dims) { return wrapCopy("of", data.clone(), data.length, dims); }

    /** int32 of the given dims from row-major {@code data}. */
    public static Tensor of(int[] data, int... dims) { return wrapCopy("of", data.clone(), data.length, dims); }

    /** int64 of the given dims from row-major {@code data}. */
    public static Tensor of(long[] data, int... dims) { return wrapCopy("of", data.clone(), data.length, dims); }

    private static Tensor wrapCopy(String op, Object array, int length, int[] dims) {
        Shape shape = Shape.of(dims);
        if (shape.size() != length) {
            throw new IllegalArgumentException(op + ": " + length + " values do not fill shape " + shape + " (" + shape.size() + " elements)");
        }
        return Tensor.wrap(HeapStorage.wrap(array), shape);
    }

    private static IllegalArgumentException ragged(String op, int row, int got, int expected) {
        return new IllegalArgumentException(op + ": ragged nested array: row " + row + " has " + got + " elements, expected " + expected);
    }

    // ---- seeded random -----------------------------------------------------------------------

    /** float32 uniform in [0, 1). */
    public static Tensor uniform(Shape shape, long seed) {
        return Ops.randomUniform(shape, scalar(seed, DType.INT64));
    }

    /** float32 uniform in [lo, hi), computed as {@code lo + u * (hi - lo)} in float32 (so hi itself can appear by rounding). */
    public static Tensor uniform(Shape shape, double lo, double hi, long seed) {
        if (!(hi >= lo)) throw new IllegalArgumentException("uniform: expected lo <= hi, got " + lo + ", " + hi);
        return uniform(shape, seed).mul(hi - lo).add(lo);
    }

    /** float32 standard normal. */
    public static Tensor normal(Shape shape, long seed) {
        return Ops.randomNormal(shape, scalar(seed, DType.INT64));
    }

    /** float32 normal with {@code mean} and standard deviation {@code std}. */
    public static Tensor normal(Shape shape, double mean, double std, long seed) {
        if (!(std >= 0)) throw new IllegalArgumentException("normal: std must be >= 0, got " + std);
        return normal(shape, seed).mul(std).add(mean);
    }

    /** float32 ones with probability {@code p}, zeros otherwise. */
    public static Tensor bernoulli(Shape shape, double p, long seed) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("bernoulli: p must be in [0, 1], got " + p);
        return uniform(shape, seed).lt(p).cast(DType.FLOAT32);
    }

    /** int64 uniform in [lo, hi). */
    public static Tensor randint(Shape shape, long lo, long hi, long seed) {
        if (hi <= lo) throw new IllegalArgumentException("randint: expected lo < hi, got " + lo + ", " + hi);
        // float64 keeps lo + u * (hi - lo) below hi for every 24-bit u; the minimum guards the last ulp.
        Tensor u = uniform(shape, seed).cast(DType.FLOAT64);
        Tensor v = u.mul((double) (hi - lo)).add((double) lo).floor().cast(DType.INT64);
        return v.minimum(scalar(hi - 1, DType.INT64));
    }

    /** int64, a random permutation of {@code [0, n)} (Fisher-Yates driven by {@link CounterRng}). */
    public static Tensor permutation(int n, long seed) {
        if (n < 0) throw new IllegalArgumentException("permutation: n must be >= 0, got " + n);
        Shape.of(n).checkFits("permutation", "n = " + n);
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int) Long.remainderUnsigned(CounterRng.bits(seed, i), i + 1);
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return Tensor.wrap(HeapStorage.wrap(a), Shape.of(n));
    }
}
