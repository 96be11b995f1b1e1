package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import org.junit.jupiter.api.Test;

/** Both operands of a comparison broadcast from one element (stride 0): the vector loops once read past the array. */
class BroadcastOperandsRegressionTest {
    @Test
    void comparisonOfTwoBroadcastScalars() {
        Tensor a = Tensors.scalar(1.0).expand(37);
        Tensor b = Tensors.scalar(2.0).expand(37);
        boolean[] expected = new boolean[37];
        java.util.Arrays.fill(expected, true);
        assertArrayEquals(expected, a.lt(b).toBooleanArray());
        assertArrayEquals(new boolean[37], a.gt(b).toBooleanArray());
    }
}
