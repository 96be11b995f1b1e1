package dev.javelin.tensor.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.IndexingOps;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.CounterRng;
import dev.javelin.tensor.spi.SpecialFunctions;
import org.junit.jupiter.api.Test;

class ReferenceBackendTest {
    @Test
    void elementwiseOnTransposedAndBroadcastViews() {
        Tensor a = Tensors.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).mT();          // [3, 2], non-contiguous
        Tensor b = Tensors.of(new float[] {10, 20});                                 // broadcast over rows
        assertArrayEquals(new float[] {11, 24, 12, 25, 13, 26}, a.add(b).toFloatArray());
        assertArrayEquals(new float[] {-1, -4, -2, -5, -3, -6}, a.neg().toFloatArray());
    }

    @Test
    void roundIsHalfToEvenAndCastTruncates() {
        Tensor x = Tensors.of(new float[] {0.5f, 1.5f, 2.5f, -0.5f, -1.7f});
        assertArrayEquals(new float[] {0, 2, 2, -0f, -2}, x.round().toFloatArray());
        assertArrayEquals(new int[] {0, 1, 2, 0, -1}, x.cast(DType.INT32).toIntArray());
    }

    @Test
    void integerArithmeticStaysExact() {
        Tensor a = Tensors.of(new long[] {(1L << 53) + 1, -7});
        assertArrayEquals(new long[] {(1L << 53) + 2, -6}, a.add(Tensors.of(new long[] {1, 1})).toLongArray());
        Tensor i = Tensors.of(new int[] {Integer.MAX_VALUE});
        assertArrayEquals(new int[] {Integer.MIN_VALUE}, i.add(Tensors.of(new int[] {1})).toIntArray());
    }

    @Test
    void maxPropagatesNanAndArgmaxTakesFirst() {
        Tensor x = Tensors.of(new float[] {1, Float.NaN, 3, 3, 1, 3}, 2, 3);
        float[] m = x.max(1).toFloatArray();
        assertTrue(Float.isNaN(m[0]));
        assertEquals(3f, m[1]);
        assertArrayEquals(new long[] {1, 0}, x.argmax(1).toLongArray());
        assertArrayEquals(new long[] {1, 1}, x.argmin(1).toLongArray()); // NaN wins argmin too, as in PyTorch
    }

    @Test
    void sumOverSeveralAxesWithKeepDims() {
        Tensor x = Tensors.arange(0, 24, 1).reshape(2, 3, 4);
        Tensor s = x.sum(new int[] {0, -1}, true);
        assertEquals(Shape.of(1, 3, 1), s.shape());
        assertArrayEquals(new float[] {0 + 1 + 2 + 3 + 12 + 13 + 14 + 15, 92, 124}, s.toFloatArray());
    }

    @Test
    void matmulWithBatchBroadcast() {
        Tensor a = Tensors.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensors.of(new float[] {1, 0, 0, 1, 2, 0, 0, 2}, 2, 2, 2);
        assertArrayEquals(new float[] {1, 2, 3, 4, 2, 4, 6, 8}, a.matmul(b).toFloatArray());
    }

    @Test
    void conv2dMatchesHandComputedSums() {
        // 1x3x3x1 input 1..9, 2x2 filter of ones, valid: each output is a 2x2 window sum.
        Tensor x = Tensors.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1);
        Tensor f = Tensors.ones(2, 2, 1, 1);
        Tensor y = Ops.conv2d(x, f, new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1));
        assertArrayEquals(new float[] {12, 16, 24, 28}, y.toFloatArray());
        Tensor padded = Ops.conv2d(x, f, new OpAttrs.Conv(2, 2, 0, 1, 0, 1, 1, 1, 1));
        assertArrayEquals(new float[] {12, 9, 15, 9}, padded.toFloatArray());
    }

    @Test
    void gatherOutOfRangeNamesOpIndexAndSize() {
        Tensor x = Tensors.of(new float[] {1, 2, 3});
        var e = assertThrows(IndexOutOfBoundsException.class, () -> IndexingOps.gather(x, 0, Tensors.of(new long[] {3})).toFloatArray());
        assertEquals("gather: index 3 is out of range for axis 0 of size 3", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> IndexingOps.scatterAdd(x, 0, Tensors.of(new long[] {-1}), Tensors.of(new float[] {1})));
    }

    @Test
    void padWithInteriorAndFoldAddsOverlaps() {
        Tensor x = Tensors.of(new float[] {1, 2});
        Tensor p = Ops.pad(x, new int[] {1}, new int[] {2}, new int[] {1}, -1);
        assertArrayEquals(new float[] {-1, 1, -1, 2, -1, -1}, p.toFloatArray());
        Tensor img = Tensors.ones(1, 3, 1, 1);
        var w = new OpAttrs.Window(2, 1, 1, 1, 1, 1);
        Tensor folded = Ops.fold(Ops.unfold(img, w), w, img.shape());
        assertArrayEquals(new float[] {1, 2, 1}, folded.toFloatArray()); // the middle row is in two windows
    }

    @Test
    void randomIsReproducibleFromTheSeed() {
        Tensor a = Tensors.uniform(Shape.of(1000), 7), b = Tensors.uniform(Shape.of(1000), 7);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        assertEquals(CounterRng.uniform(7, 5), a.get(5));
        double mean = a.sum().item() / 1000;
        assertEquals(0.5, mean, 0.05);
        Tensor n = Tensors.normal(Shape.of(4000), 3);
        assertEquals(0, n.sum().item() / 4000, 0.06);
        assertEquals(CounterRng.normal(3, 9), n.get(9));
    }

    @Test
    void erfMatchesKnownValues() {
        assertEquals(0.5204998778130465, SpecialFunctions.erf(0.5), 1e-15);
        assertEquals(-0.9953222650189527, SpecialFunctions.erf(-2.0), 1e-15);
        assertEquals(0.9999779095030014, SpecialFunctions.erf(3.0), 1e-15);
        assertEquals(0.9999999845827421, SpecialFunctions.erf(4.0), 1e-15);
        Tensor e = Tensors.of(new float[] {0.5f}).erf();
        assertEquals(0.5204998778130465, e.item(), 1e-7);
        assertEquals(Op.ERF, Op.valueOf("ERF"));
    }
}
