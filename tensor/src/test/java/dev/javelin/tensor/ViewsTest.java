package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ViewsTest {
    private final Tensor x = Tensors.arange(0, 12, 1).reshape(3, 4);

    @Test
    void reshapePermuteExpandSliceShareStorage() {
        assertSame(x.storage(), x.reshape(4, 3).storage());
        assertSame(x.storage(), x.mT().storage());
        assertSame(x.storage(), x.slice(1, 1, 3).storage());
        assertSame(x.storage(), x.unsqueeze(0).expand(2, 3, 4).storage());
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, x.mT().toFloatArray());
        assertArrayEquals(new int[] {1, 4}, x.mT().strides());
    }

    @Test
    void reshapeInfersOneDimAndChecksTheCount() {
        assertEquals(Shape.of(2, 6), x.reshape(2, -1).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> x.reshape(5, -1));
        assertEquals("reshape: cannot reshape [3, 4] (12 elements) into [5, -1]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.reshape(-1, -1));
    }

    @Test
    void reshapeOfANonContiguousViewCopiesInRowMajorOrder() {
        Tensor t = x.mT();
        Tensor r = t.reshape(12);
        assertNotSame(x.storage(), r.storage());
        assertArrayEquals(t.toFloatArray(), r.toFloatArray());
    }

    /**
     * A reshape that splits or merges axes only within runs of dense axes is a view of a non-contiguous
     * input too (PyTorch's rule): a slice of the last axis split in two, a permuted tensor's axes split;
     * merging across a gap copies. Values always in row-major order of the input.
     */
    @Test
    void reshapeWithinDenseRunsOfANonContiguousViewIsAView() {
        Tensor packed = Tensors.arange(0, 2 * 3 * 12, 1).reshape(2, 3, 12);
        Tensor part = packed.slice(-1, 4, 10);                       // [2, 3, 6], rows 12 apart
        Tensor split = part.reshape(2, 3, 2, 3);
        assertSame(packed.storage(), split.storage());
        assertArrayEquals(new int[] {36, 12, 3, 1}, split.strides());
        assertArrayEquals(part.contiguous().toFloatArray(), split.toFloatArray());
        Tensor merged = part.reshape(6, 6);                          // merges the two outer axes: 36 = 3 * 12, one run
        assertSame(packed.storage(), merged.storage());
        assertArrayEquals(part.contiguous().toFloatArray(), merged.toFloatArray());
        Tensor across = part.reshape(36);                            // across the slice's gap: a copy
        assertNotSame(packed.storage(), across.storage());
        assertArrayEquals(part.contiguous().toFloatArray(), across.toFloatArray());
        Tensor permuted = Tensors.arange(0, 24, 1).reshape(2, 3, 4).permute(2, 0, 1); // [4, 2, 3]
        Tensor unit = permuted.reshape(4, 1, 6, 1);                  // merges the dense [2, 3], adds size-1 axes
        assertSame(permuted.storage(), unit.storage());
        assertArrayEquals(permuted.contiguous().toFloatArray(), unit.toFloatArray());
        assertArrayEquals(permuted.contiguous().toFloatArray(), permuted.reshape(2, 2, 2, 3).toFloatArray());
        assertArrayEquals(new float[0], Tensors.zeros(0, 3).slice(1, 0, 2).reshape(2, 0).toFloatArray());
    }

    @Test
    void sliceWithStepsNegativeAndClampedBounds() {
        assertArrayEquals(new float[] {1, 3, 5, 7, 9, 11}, x.slice(1, 1, 4, 2).toFloatArray());
        assertArrayEquals(new float[] {8, 9, 10, 11}, x.slice(0, -1, 100).toFloatArray());
        assertEquals(Shape.of(0, 4), x.slice(0, 2, 1).shape());
        assertArrayEquals(new float[] {5, 6}, x.narrow(0, 1, 1).narrow(1, 1, 2).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> x.slice(0, 0, 3, 0));
    }

    @Test
    void squeezeAndUnsqueeze() {
        Tensor t = x.reshape(3, 1, 4, 1);
        assertEquals(Shape.of(3, 4), t.squeeze().shape());
        assertEquals(Shape.of(3, 4, 1), t.squeeze(1).shape());
        assertEquals(Shape.of(3, 4, 1), x.unsqueeze(-1).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> t.squeeze(0));
        assertEquals("squeeze: axis 0 of [3, 1, 4, 1] has size 3, expected 1", e.getMessage());
    }

    @Test
    void expandStretchesSizeOneDimsWithStrideZero() {
        Tensor col = Tensors.of(new float[] {1, 2, 3}).reshape(3, 1);
        Tensor e = col.expand(3, 4);
        assertArrayEquals(new int[] {1, 0}, e.strides());
        assertArrayEquals(new float[] {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, e.toFloatArray());
        var ex = assertThrows(IllegalArgumentException.class, () -> x.expand(2, 4));
        assertEquals("expand: shape [3, 4] does not broadcast to [2, 4]", ex.getMessage());
    }

    @Test
    void expandKeepsADimensionGivenAsMinusOneAsPyTorchDoes() {
        Tensor col = Tensors.of(new float[] {1, 2, 3}).reshape(3, 1);
        assertArrayEquals(col.expand(3, 4).toFloatArray(), col.expand(-1, 4).toFloatArray());
        assertEquals(Shape.of(2, 3, 4), col.expand(2, -1, 4).shape());
        var ex = assertThrows(IllegalArgumentException.class, () -> col.expand(-1, 3, 4));
        assertTrue(ex.getMessage().startsWith("expand: -1 at position 0 of [-1, 3, 4] names no dimension of [3, 1]"), ex.getMessage());
    }

    @Test
    void narrowRefusesARangePastTheAxisAsPyTorchDoes() {
        Tensor r = Tensors.arange(0, 10, 1);
        assertArrayEquals(new float[] {7, 8}, r.narrow(0, -3, 2).toFloatArray());
        assertEquals(0, r.narrow(0, 10, 0).size());
        var past = assertThrows(IllegalArgumentException.class, () -> r.narrow(0, 8, 5)); // a slice would give 2 elements
        assertEquals("narrow: start 8 and length 5 do not fit axis 0 of [10] (size 10); expected -10 <= start <= 10, length >= 0 "
                + "and start + length <= 10", past.getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.narrow(0, 2, -1));
        assertThrows(IllegalArgumentException.class, () -> r.narrow(0, -11, 1));
    }

    @Test
    void permuteChecksItsOrder() {
        Tensor t = x.reshape(1, 3, 4).permute(2, 0, 1);
        assertEquals(Shape.of(4, 1, 3), t.shape());
        assertThrows(IllegalArgumentException.class, () -> x.permute(0, 0));
        assertThrows(IllegalArgumentException.class, () -> x.permute(0));
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        assertSame(x, x.contiguous());
        Tensor t = x.mT();
        assertFalse(t.isContiguous());
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        assertArrayEquals(t.toFloatArray(), c.toFloatArray());
    }

    @Test
    void getAndItemReadThroughTheView() {
        Tensor t = x.mT();
        assertEquals(4.0, t.get(0, 1));
        assertEquals(11.0, t.get(-1, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(4, 0));
        assertEquals(5.0, x.slice(0, 1, 2).slice(1, 1, 2).item());
        assertThrows(IllegalArgumentException.class, x::item);
    }
}
