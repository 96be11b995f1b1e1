package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorFormatTest {
    @Test
    void matricesPrintOneRowPerLineLikeNumPy() {
        assertEquals("tensor([[1., 2.],\n        [3., 4.]], shape=[2, 2], dtype=float32)",
                Tensors.of(new float[][] {{1, 2}, {3, 4}}).toString());
    }

    @Test
    void floatsIntsBoolsAndScalars() {
        assertEquals("tensor([ 0.5000, -1.2500], shape=[2], dtype=float32)", Tensors.of(new float[] {0.5f, -1.25f}).toString());
        assertEquals("tensor([  1, -20], shape=[2], dtype=int64)", Tensors.of(new long[] {1, -20}).toString());
        assertEquals("tensor([ true, false], shape=[2], dtype=bool)", Tensors.of(new boolean[] {true, false}).toString());
        assertEquals("tensor(3.5000, shape=[], dtype=float64)", Tensors.scalar(3.5, DType.FLOAT64).toString());
        assertEquals("tensor([1.0000e-06, 1.0000e+00,        nan], shape=[3], dtype=float32)",
                Tensors.of(new float[] {1e-6f, 1, Float.NaN}).toString());
    }

    @Test
    void rank3BlocksAreSeparatedByABlankLine() {
        String s = Tensors.arange(0, 8, 1).reshape(2, 2, 2).toString();
        assertEquals("tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]], shape=[2, 2, 2], dtype=float32)", s);
    }

    @Test
    void largeTensorsElideTheMiddle() {
        String s = Tensors.arange(0, 2000, 1).reshape(40, 50).toString();
        assertTrue(s.startsWith("tensor([[   0.,    1.,    2., ...,   47.,   48.,   49.],\n"), s);
        assertTrue(s.contains("        ...,\n"), s);
        assertTrue(s.endsWith("1997., 1998., 1999.]], shape=[40, 50], dtype=float32)"), s);
        assertEquals(7, s.split("\n").length, "3 rows, the ellipsis row, 3 rows");
    }

    @Test
    void viewsPrintTheirOwnValuesAndSymbolicTensorsOnlyShape() {
        assertEquals("tensor([[1., 3.],\n        [2., 4.]], shape=[2, 2], dtype=float32)",
                Tensors.of(new float[][] {{1, 2}, {3, 4}}).mT().toString());
        assertEquals("tensor(<symbolic>, shape=[2, 3], dtype=float32)",
                Tensor.symbolic(Shape.of(2, 3), DType.FLOAT32, Device.CPU, null).toString());
        assertEquals("tensor([], shape=[0, 3], dtype=float32)", Tensors.zeros(0, 3).toString());
    }
}
