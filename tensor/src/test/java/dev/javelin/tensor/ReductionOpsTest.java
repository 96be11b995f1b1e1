package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ReductionOpsTest {
    private final Tensor x = Tensors.arange(0, 24, 1).reshape(2, 3, 4);

    @Test
    void sumOverEachAxisAndAllAxes() {
        assertArrayEquals(new float[] {12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34}, x.sum(0).toFloatArray());
        assertArrayEquals(new float[] {12, 15, 18, 21, 48, 51, 54, 57}, x.sum(1).toFloatArray());
        assertArrayEquals(new float[] {6, 22, 38, 54, 70, 86}, x.sum(2).toFloatArray());
        assertEquals(276.0, x.sum().item());
        assertEquals(Shape.scalar(), x.sum().shape());
    }

    @Test
    void negativeAxesAndKeepDims() {
        Tensor s = x.sum(new int[] {-1, -3}, true);
        assertEquals(Shape.of(1, 3, 1), s.shape());
        assertArrayEquals(x.sum(0, 2).toFloatArray(), s.toFloatArray());
        assertEquals(Shape.of(2, 1, 4), x.max(new int[] {1}, true).shape());
    }

    @Test
    void maxMinArgmaxArgminAlongAnAxis() {
        Tensor m = Tensors.of(new float[] {3, -1, 7, 7, 0, -5, 2, -5}, 2, 4);
        assertArrayEquals(new float[] {7, 2}, m.max(1).toFloatArray());
        assertArrayEquals(new float[] {-1, -5}, m.min(1).toFloatArray());
        assertArrayEquals(new long[] {2, 2}, m.argmax(-1).toLongArray(), "first of the tied maxima");
        assertArrayEquals(new long[] {1, 1}, m.argmin(1).toLongArray(), "first of the tied minima");
        assertArrayEquals(new long[] {0, 0, 0, 0}, m.argmax(0).toLongArray());
        assertEquals(DType.INT64, m.argmax(0).dtype());
    }

    @Test
    void integerSumsWidenToInt64AndBoolSumsCount() {
        Tensor i = Tensors.of(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE});
        Tensor s = i.sum();
        assertEquals(DType.INT64, s.dtype());
        assertEquals(2L * Integer.MAX_VALUE, s.toLongArray()[0]);
        assertEquals(2L, Tensors.of(new boolean[] {true, false, true}).sum().toLongArray()[0]);
        assertEquals(DType.INT32, i.max().dtype());
    }

    @Test
    void reductionsOfViewsReadTheViewNotTheStorage() {
        Tensor t = x.reshape(6, 4).mT();                       // [4, 6]
        assertArrayEquals(new float[] {60, 66, 72, 78}, t.sum(1).toFloatArray());
        Tensor b = Tensors.of(new float[] {1, 2, 3}).reshape(3, 1).expand(3, 5);
        assertArrayEquals(new float[] {5, 10, 15}, b.sum(1).toFloatArray());
        assertArrayEquals(new float[] {3, 3, 3, 3, 3}, b.max(0).toFloatArray());
    }

    @Test
    void emptyAndSizeOneDimensions() {
        Tensor e = Tensors.zeros(3, 0);
        assertArrayEquals(new float[] {0, 0, 0}, e.sum(1).toFloatArray(), "sum over nothing is 0");
        assertEquals(Shape.of(0), e.sum(0).shape());
        var ex = assertThrows(IllegalArgumentException.class, () -> e.max(1));
        assertEquals("reduce_max: cannot reduce the empty axis 1 of [3, 0] (no identity for max/min)", ex.getMessage());
        Tensor one = Tensors.of(new float[] {4}, 1, 1);
        assertEquals(4.0, one.max(0, 1).item());
        assertArrayEquals(new long[] {0}, one.argmax(1).toLongArray());
    }

    @Test
    void badAxesAreRejected() {
        var range = assertThrows(IllegalArgumentException.class, () -> x.sum(3));
        assertEquals("reduce_sum: axis 3 is out of range for rank 3 (expected -3 <= axis < 3)", range.getMessage());
        var twice = assertThrows(IllegalArgumentException.class, () -> x.sum(1, -2));
        assertEquals("reduce_sum: axis -2 given twice in [1, -2]", twice.getMessage());
        var arg = assertThrows(IllegalArgumentException.class, () -> Ops.reduce(Op.ARGMAX, x, new int[] {0, 1}, false));
        assertEquals("argmax: expected exactly one axis, got [0, 1]", arg.getMessage());
    }

    @Test
    void floatSumsAccumulateInDouble() {
        float[] v = new float[10001];
        v[0] = 1e8f;
        java.util.Arrays.fill(v, 1, v.length, 1f); // a float accumulator would lose every +1
        assertEquals(1e8 + 10000, Tensors.of(v).sum().item());
    }
}
