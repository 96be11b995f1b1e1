package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/** BatchNormalization on float64 inputs: autocast to its float32 weights' dtype (Keras 3), trains its statistics and infers as on float32. */
class BatchNormalizationDtypeTest {
    @Test
    void float64InputsWork() {
        Tensor x32 = new RandomTensors(5).normal(Shape.of(8, 3));
        Tensor x64 = x32.cast(DType.FLOAT64);
        BatchNormalization bn32 = new BatchNormalization(), bn64 = new BatchNormalization();
        Tensor y32 = bn32.apply(x32, true);
        Tensor y64 = bn64.apply(x64, true);
        assertEquals(DType.FLOAT32, y64.dtype());
        assertArrayEquals(y32.toDoubleArray(), y64.toDoubleArray(), 1e-5);
        assertEquals(DType.FLOAT32, bn64.movingMean().dtype());
        assertArrayEquals(bn32.movingMean().value().toDoubleArray(), bn64.movingMean().value().toDoubleArray(), 1e-6);
        assertArrayEquals(bn32.movingVariance().value().toDoubleArray(), bn64.movingVariance().value().toDoubleArray(), 1e-6);
        assertArrayEquals(bn32.apply(x32, false).toDoubleArray(), bn64.apply(x64, false).toDoubleArray(), 1e-5);
    }
}
