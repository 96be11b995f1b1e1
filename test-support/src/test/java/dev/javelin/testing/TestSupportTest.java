package dev.javelin.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class TestSupportTest {
    @Test
    void assertCloseAcceptsWithinToleranceAndNamesTheFirstBadElement() {
        Tensor e = Tensors.of(new float[] {1, 2, Float.NaN, 4}, 2, 2);
        TensorAssert.assertClose(e, Tensors.of(new float[] {1, 2.00001f, Float.NaN, 4}, 2, 2), 1e-4, 0);
        var err = assertThrows(AssertionFailedError.class,
                () -> TensorAssert.assertClose(e, Tensors.of(new float[] {1, 2, Float.NaN, 5}, 2, 2), 1e-4, 0));
        assertTrue(err.getMessage().startsWith("1 of 4 elements differ (rtol=0.000100000, atol=0.00000); first at [1, 1]: expected 4.0, got 5.0"),
                err.getMessage());
        assertThrows(AssertionFailedError.class, () -> TensorAssert.assertClose(e, Tensors.zeros(4)));
        assertThrows(AssertionFailedError.class, () -> TensorAssert.assertClose(e, Tensors.of(new float[] {1, 2, 3, 4}, 2, 2)));
    }

    @Test
    void assertEqualComparesDtypeAndExactValues() {
        TensorAssert.assertEqual(Tensors.of(new long[] {1L << 60}), Tensors.of(new long[] {1L << 60}));
        assertThrows(AssertionFailedError.class, () -> TensorAssert.assertEqual(Tensors.of(new long[] {1}), Tensors.of(new int[] {1})));
        assertThrows(AssertionFailedError.class,
                () -> TensorAssert.assertEqual(Tensors.of(new long[] {1L << 60}), Tensors.of(new long[] {(1L << 60) + 1})));
        TensorAssert.assertShape(Tensors.zeros(2, 0), 2, 0);
    }

    @Test
    void randomViewsHoldTheSameValuesInOtherLayouts() {
        RandomTensors r = new RandomTensors(7);
        for (int i = 0; i < 20; i++) {
            Shape s = r.shape(4, 6);
            Tensor x = r.uniform(s, DType.FLOAT32);
            Tensor t = r.transposedView(x), v = r.stridedView(x);
            assertArrayEquals(x.toFloatArray(), t.toFloatArray());
            assertArrayEquals(x.toFloatArray(), v.toFloatArray());
            assertArrayEquals(x.toFloatArray(), r.anyLayout(x).toFloatArray());
            if (s.size() > 1) assertFalse(v.isContiguous(), "strided view of " + s);
            assertTrue(Shape.of(r.broadcastableTo(s).toArray()).broadcastsTo(s));
        }
        assertArrayEquals(new RandomTensors(3).uniform(Shape.of(5), DType.INT64).toLongArray(),
                new RandomTensors(3).uniform(Shape.of(5), DType.INT64).toLongArray());
        long[] labels = new RandomTensors(1).labels(Shape.of(100), 4, DType.INT32).toLongArray();
        for (long l : labels) assertTrue(l >= 0 && l < 4);
    }

    @Test
    void fixturesReadTensorsAndAttributes() {
        Fixtures.Case c = Fixtures.find("fixtures/sample.json", "add");
        Tensor x = c.tensor("x");
        assertEquals(Shape.of(2, 2), x.shape());
        assertEquals(DType.FLOAT32, x.dtype());
        float[] v = x.toFloatArray();
        assertEquals(1.5f, v[0]);
        assertTrue(Float.isNaN(v[2]) && v[3] == Float.POSITIVE_INFINITY);
        assertArrayEquals(new long[] {0, 2, 1}, c.tensor("labels").toLongArray());
        assertArrayEquals(new boolean[] {true, false}, c.tensor("mask").toBooleanArray());
        assertArrayEquals(new int[] {0, -1}, c.ints("axes"));
        assertArrayEquals(new int[] {1, 2}, c.intPairs("padding")[0]);
        assertEquals(1e-5, c.number("eps"));
        assertTrue(c.bool("fromLogits"));
        assertEquals("same", c.string("padding_mode"));
        assertThrows(IllegalArgumentException.class, () -> c.tensor("missing"));
        assertThrows(IllegalArgumentException.class, () -> Fixtures.load("fixtures/none.json"));
    }
}
