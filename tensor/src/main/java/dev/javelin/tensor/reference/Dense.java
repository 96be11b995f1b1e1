package dev.javelin.tensor.reference;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.tensor.spi.Strided;

/**
 * Moves values between strided views and plain row-major arrays: floating values as {@code double},
 * integers and bools as {@code long} (bool is 0 or 1), so every reference kernel is a simple loop
 * over a dense array whatever the input's layout.
 */
final class Dense {
    private Dense() {}

    /** The view's elements in row-major order, widened to double. */
    static double[] doubles(Tensor t) {
        HeapStorage h = host(t);
        int[] offs = offsets(t, h);
        double[] out = new double[offs.length];
        switch (h.dtype()) {
            case FLOAT32 -> { float[] a = h.floats(); for (int i = 0; i < out.length; i++) out[i] = a[offs[i]]; }
            case FLOAT64 -> { double[] a = h.doubles(); for (int i = 0; i < out.length; i++) out[i] = a[offs[i]]; }
            case INT32 -> { int[] a = h.ints(); for (int i = 0; i < out.length; i++) out[i] = a[offs[i]]; }
            case INT64 -> { long[] a = h.longs(); for (int i = 0; i < out.length; i++) out[i] = a[offs[i]]; }
            case BOOL -> { boolean[] a = h.bools(); for (int i = 0; i < out.length; i++) out[i] = a[offs[i]] ? 1 : 0; }
        }
        return out;
    }

    /** The view's elements in row-major order as long: integers exactly, bool 0/1, floats truncated toward zero. */
    static long[] longs(Tensor t) {
        HeapStorage h = host(t);
        int[] offs = offsets(t, h);
        long[] out = new long[offs.length];
        switch (h.dtype()) {
            case FLOAT32 -> { float[] a = h.floats(); for (int i = 0; i < out.length; i++) out[i] = (long) a[offs[i]]; }
            case FLOAT64 -> { double[] a = h.doubles(); for (int i = 0; i < out.length; i++) out[i] = (long) a[offs[i]]; }
            case INT32 -> { int[] a = h.ints(); for (int i = 0; i < out.length; i++) out[i] = a[offs[i]]; }
            case INT64 -> { long[] a = h.longs(); for (int i = 0; i < out.length; i++) out[i] = a[offs[i]]; }
            case BOOL -> { boolean[] a = h.bools(); for (int i = 0; i < out.length; i++) out[i] = a[offs[i]] ? 1 : 0; }
        }
        return out;
    }

    /**
     * Writes {@code v} into the dense output, rounding to float32, or {@code != 0} for bool; to integers it
     * truncates toward zero and saturates (NaN gives 0): Java's cast, which CAST defines as its rule.
     */
    static void store(Tensor out, double[] v) {
        HeapStorage h = output(out, v.length);
        switch (h.dtype()) {
            case FLOAT32 -> { float[] a = h.floats(); for (int i = 0; i < v.length; i++) a[i] = (float) v[i]; }
            case FLOAT64 -> System.arraycopy(v, 0, h.doubles(), 0, v.length);
            case INT32 -> { int[] a = h.ints(); for (int i = 0; i < v.length; i++) a[i] = (int) v[i]; }
            case INT64 -> { long[] a = h.longs(); for (int i = 0; i < v.length; i++) a[i] = (long) v[i]; }
            case BOOL -> { boolean[] a = h.bools(); for (int i = 0; i < v.length; i++) a[i] = v[i] != 0; }
        }
    }

    /** Writes integers into the dense output: int32 wraps as in two's complement, floats convert directly. */
    static void store(Tensor out, long[] v) {
        HeapStorage h = output(out, v.length);
        switch (h.dtype()) {
            case FLOAT32 -> { float[] a = h.floats(); for (int i = 0; i < v.length; i++) a[i] = (float) v[i]; }
            case FLOAT64 -> { double[] a = h.doubles(); for (int i = 0; i < v.length; i++) a[i] = (double) v[i]; }
            case INT32 -> { int[] a = h.ints(); for (int i = 0; i < v.length; i++) a[i] = (int) v[i]; }
            case INT64 -> System.arraycopy(v, 0, h.longs(), 0, v.length);
            case BOOL -> { boolean[] a = h.bools(); for (int i = 0; i < v.length; i++) a[i] = v[i] != 0; }
        }
    }

    /** True when the reference computes this dtype with doubles (else with longs). */
    static boolean floating(DType dt) {
        return dt.isFloating();
    }

    private static HeapStorage host(Tensor t) {
        if (t.storage() instanceof HeapStorage h) return h;
        return t.toHost(); // another backend's storage: a dense host copy, addressed densely below
    }

    private static int[] offsets(Tensor t, HeapStorage h) {
        if (h == t.storage()) return Strided.offsets(t.shape(), t.strides(), t.offset());
        return Strided.offsets(t.shape(), t.shape().contiguousStrides(), 0);
    }

    private static HeapStorage output(Tensor out, int n) {
        if (!(out.storage() instanceof HeapStorage h) || out.offset() != 0 || !out.isContiguous() || out.size() != n) {
            throw new IllegalStateException("reference: output must be dense heap storage of " + n + " elements, got "
                    + out.dtype() + out.shape() + " at offset " + out.offset());
        }
        return h;
    }
}
