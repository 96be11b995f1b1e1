package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every size product is exact or rejected with the op, the shapes and the limit: no silent
 * overflow, no NegativeArraySizeException, no OutOfMemoryError from a size that cannot fit.
 */
class SizeLimitTest {
    private static final int BIG = 65536;

    private static void rejected(String op, Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().startsWith(op + ":"), x.getMessage());
        assertTrue(x.getMessage().contains(Integer.toString(Shape.MAX_ELEMENTS)), "names the limit: " + x.getMessage());
    }

    @Test
    void shapeSizeIsExactOrAnError() {
        assertEquals(4294967296L, Shape.of(BIG, BIG).size());
        assertEquals(0, Shape.of(Integer.MAX_VALUE, 0, Integer.MAX_VALUE, Integer.MAX_VALUE).size());
        Shape huge = Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, huge::size);
        assertTrue(e.getMessage().contains("overflows"), e.getMessage());
        assertEquals("[2147483647, 2147483647, 2147483647]", huge.toString());
        rejected("Tensor", () -> Tensor.symbolic(huge, DType.FLOAT32, Device.CPU, null));
    }

    @Test
    void fitsAgreesWithTheLimit() {
        assertTrue(Shape.of(Shape.MAX_ELEMENTS).fits());
        assertTrue(!Shape.of(Shape.MAX_ELEMENTS + 1).fits());
        assertTrue(!Shape.of(BIG, BIG).fits());
        assertTrue(!Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE).fits()); // no overflow into a small product
        assertTrue(Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, 0).fits());                  // empty, whatever comes before the 0
        assertTrue(Shape.scalar().fits());
    }

    @Test
    void factoriesCheckTheSizeFirst() {
        rejected("eye", () -> Tensors.eye(BIG));            // n * n overflowed an int
        rejected("arange", () -> Tensors.arange(Integer.MAX_VALUE));
        rejected("linspace", () -> Tensors.linspace(0, 1, Integer.MAX_VALUE));
        rejected("permutation", () -> Tensors.permutation(Integer.MAX_VALUE, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensors.arange(0, 1e12, 1));
        assertTrue(e.getMessage().startsWith("arange:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensors.arange(0, Double.POSITIVE_INFINITY, 1));
        assertEquals(3, Tensors.eye(3).sum().item());
    }

    @Test
    void opsRejectResultsPastTheLimitNamingOpAndOperands() {
        Tensor column = Tensors.ones(Shape.of(BIG, 1), DType.FLOAT32), row = Tensors.ones(Shape.of(1, BIG), DType.FLOAT32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> column.matmul(row));
        assertEquals("matmul: result shape [65536, 65536] has 4294967296 elements, more than the limit of 2147483639 per tensor"
                + " (one Java array); operands float32[65536, 1] float32[1, 65536]", e.getMessage());
        rejected("add", () -> column.add(row));              // broadcasting
        rejected("expand", () -> column.broadcastTo(Shape.of(BIG, BIG)));
        IllegalArgumentException where = assertThrows(IllegalArgumentException.class, () -> Ops.where(column.gt(0), column, row));
        assertTrue(where.getMessage().startsWith("where: result shape [65536, 65536]"), where.getMessage());
    }

    @Test
    void padAndConcatLengthsAreCheckedNotNegative() {
        Tensor x = Tensors.ones(Shape.of(3), DType.FLOAT32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ops.pad(x, new int[] {Integer.MAX_VALUE - 1}, new int[] {5}, new int[] {0}, 0));
        assertTrue(e.getMessage().startsWith("pad: a result dimension would be 2147483654"), e.getMessage());
        Tensor big = Tensor.symbolic(Shape.of(Integer.MAX_VALUE / 2 + 1), DType.BOOL, Device.CPU, null);
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> ArrayOps.concat(List.of(big, big), 0));
        assertTrue(c.getMessage().startsWith("concat: a result dimension would be 2147483648"), c.getMessage());
    }
}
