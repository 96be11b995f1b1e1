package dev.javelin.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Arrays;

/**
 * Assertions on tensors that say where and by how much they differ: the first bad element's
 * coordinates, both values, the worst difference and how many elements are off.
 *
 * <pre>{@code
 * TensorAssert.assertClose(Backends.reference()-computed, fast, 1e-5, 1e-6);
 * TensorAssert.assertClose(new double[] {1, 2}, y, 1e-6, 0);
 * }</pre>
 */
public final class TensorAssert {
    private TensorAssert() {}

    /**
     * Same shape and, elementwise, {@code |actual - expected| <= atol + rtol * |expected|}. NaN matches
     * only NaN and an infinity only the same infinity. Dtypes may differ (values compare as double).
     */
    public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
        if (!expected.shape().equals(actual.shape())) {
            fail("shapes differ: expected " + expected.dtype() + expected.shape() + ", got " + actual.dtype() + actual.shape());
        }
        compare(expected.toDoubleArray(), actual.toDoubleArray(), actual.shape(), rtol, atol);
    }

    /** {@link #assertClose(Tensor, Tensor, double, double)} with rtol 1e-5, atol 1e-6 (float32 rounding). */
    public static void assertClose(Tensor expected, Tensor actual) {
        assertClose(expected, actual, 1e-5, 1e-6);
    }

    /** Compares against row-major expected values; the actual tensor's shape only fixes coordinates in messages. */
    public static void assertClose(double[] expected, Tensor actual, double rtol, double atol) {
        if (expected.length != actual.size()) {
            fail("sizes differ: expected " + expected.length + " values, got " + actual.dtype() + actual.shape());
        }
        compare(expected, actual.toDoubleArray(), actual.shape(), rtol, atol);
    }

    /** Exactly equal: shape, dtype and every value (NaN equals NaN). */
    public static void assertEqual(Tensor expected, Tensor actual) {
        if (expected.dtype() != actual.dtype()) {
            fail("dtypes differ: expected " + expected.dtype() + expected.shape() + ", got " + actual.dtype() + actual.shape());
        }
        if (expected.dtype() == DType.INT64) {
            if (!expected.shape().equals(actual.shape()) || !Arrays.equals(expected.toLongArray(), actual.toLongArray())) {
                fail("expected " + expected + "\nbut got  " + actual);
            }
            return;
        }
        assertClose(expected, actual, 0, 0);
    }

    /** The tensor has exactly these dims. */
    public static void assertShape(Tensor actual, int... dims) {
        if (!actual.shape().equals(Shape.of(dims))) {
            fail("expected shape " + Shape.of(dims) + ", got " + actual.dtype() + actual.shape());
        }
    }

    /** Convenience: a float64 tensor of row-major values and dims, for expected results. */
    public static Tensor expected(double[] values, int... dims) {
        return Tensors.of(values, dims);
    }

    private static void compare(double[] e, double[] a, Shape shape, double rtol, double atol) {
        int bad = 0, first = -1;
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            double diff = Math.abs(a[i] - e[i]);
            boolean ok;
            if (Double.isNaN(e[i]) || Double.isNaN(a[i])) ok = Double.isNaN(e[i]) && Double.isNaN(a[i]);
            else if (Double.isInfinite(e[i]) || Double.isInfinite(a[i])) ok = e[i] == a[i];
            else ok = diff <= atol + rtol * Math.abs(e[i]);
            if (!ok) {
                bad++;
                if (first < 0) first = i;
                if (!(diff <= worst)) worst = diff;
            }
        }
        if (bad > 0) {
            fail(String.format(java.util.Locale.ROOT,
                    "%d of %d elements differ (rtol=%g, atol=%g); first at %s: expected %s, got %s; max |diff| = %s",
                    bad, e.length, rtol, atol, Arrays.toString(coordinates(first, shape)), e[first], a[first], worst));
        }
    }

    private static int[] coordinates(int flat, Shape shape) {
        int[] c = new int[shape.rank()];
        for (int d = shape.rank() - 1; d >= 0; d--) {
            int n = Math.max(shape.dim(d), 1);
            c[d] = flat % n;
            flat /= n;
        }
        return c;
    }
}
