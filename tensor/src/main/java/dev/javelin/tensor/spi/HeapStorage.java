package dev.javelin.tensor.spi;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;

/**
 * CPU storage: one Java array ({@code float[]}, {@code double[]}, {@code int[]}, {@code long[]} or
 * {@code boolean[]} for float32, float64, int32, int64, bool). Kernels take the typed array and
 * index it with a tensor's offset and strides.
 */
public final class HeapStorage implements Storage {
    private final DType dtype;
    private final Object array;
    private final int length;

    private HeapStorage(DType dtype, Object array, int length) {
        this.dtype = dtype;
        this.array = array;
        this.length = length;
    }

    /** Zeroed storage of {@code length} elements. */
    public static HeapStorage allocate(DType dtype, int length) {
        Object a = switch (dtype) {
            case FLOAT32 -> new float[length];
            case FLOAT64 -> new double[length];
            case INT32 -> new int[length];
            case INT64 -> new long[length];
            case BOOL -> new boolean[length];
        };
        return new HeapStorage(dtype, a, length);
    }

    /** Wraps (does not copy) a Java array of one of the five element types. */
    public static HeapStorage wrap(Object array) {
        return switch (array) {
            case float[] a -> new HeapStorage(DType.FLOAT32, a, a.length);
            case double[] a -> new HeapStorage(DType.FLOAT64, a, a.length);
            case int[] a -> new HeapStorage(DType.INT32, a, a.length);
            case long[] a -> new HeapStorage(DType.INT64, a, a.length);
            case boolean[] a -> new HeapStorage(DType.BOOL, a, a.length);
            default -> throw new IllegalArgumentException("HeapStorage: unsupported array type " + array.getClass().getSimpleName());
        };
    }

    @Override public Device device() { return Device.CPU; }
    @Override public DType dtype() { return dtype; }
    @Override public int length() { return length; }

    /** Sets the first {@code count} elements to zero (false), as {@link #allocate} leaves them: for reused memory. */
    public void clear(int count) {
        switch (array) {
            case float[] a -> java.util.Arrays.fill(a, 0, count, 0f);
            case double[] a -> java.util.Arrays.fill(a, 0, count, 0d);
            case int[] a -> java.util.Arrays.fill(a, 0, count, 0);
            case long[] a -> java.util.Arrays.fill(a, 0, count, 0L);
            case boolean[] a -> java.util.Arrays.fill(a, 0, count, false);
            default -> throw new IllegalStateException("HeapStorage: unsupported array type " + array.getClass().getSimpleName());
        }
    }

    /** The backing array, of the type named in the class comment. */
    public Object array() { return array; }

    /** The backing array of a float32 storage. */
    public float[] floats() { return (float[]) array; }
    /** The backing array of a float64 storage. */
    public double[] doubles() { return (double[]) array; }
    /** The backing array of an int32 storage. */
    public int[] ints() { return (int[]) array; }
    /** The backing array of an int64 storage. */
    public long[] longs() { return (long[]) array; }
    /** The backing array of a bool storage. */
    public boolean[] bools() { return (boolean[]) array; }

    /** Element {@code i} widened to double (bool is 0 or 1): slow, for reference code and printing. */
    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT32 -> ((float[]) array)[i];
            case FLOAT64 -> ((double[]) array)[i];
            case INT32 -> ((int[]) array)[i];
            case INT64 -> ((long[]) array)[i];
            case BOOL -> ((boolean[]) array)[i] ? 1 : 0;
        };
    }

    /** Element {@code i} as a long (floats truncate toward zero). */
    public long getLong(int i) {
        return switch (dtype) {
            case INT32 -> ((int[]) array)[i];
            case INT64 -> ((long[]) array)[i];
            default -> (long) getDouble(i);
        };
    }

    /** Stores {@code v} converted to this dtype (to bool: {@code v != 0}; to ints: toward zero). */
    public void setDouble(int i, double v) {
        switch (dtype) {
            case FLOAT32 -> ((float[]) array)[i] = (float) v;
            case FLOAT64 -> ((double[]) array)[i] = v;
            case INT32 -> ((int[]) array)[i] = (int) v;
            case INT64 -> ((long[]) array)[i] = (long) v;
            case BOOL -> ((boolean[]) array)[i] = v != 0;
        }
    }

    /** Stores an integer exactly (int64 values beyond 2^53 survive, unlike {@link #setDouble}). */
    public void setLong(int i, long v) {
        switch (dtype) {
            case INT32 -> ((int[]) array)[i] = (int) v;
            case INT64 -> ((long[]) array)[i] = v;
            default -> setDouble(i, v);
        }
    }
}
