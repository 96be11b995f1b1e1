package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.layers.BatchNormalization;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/** predict with many batch sizes (a dense model, an LSTM) runs from a bounded set of compiled programs (padded power-of-two batches). */
class PredictBatchSizesTest {
    @Test
    void manyBatchSizesCompileFewPrograms() {
        Model m = new Sequential(Input.of(6), new Dense(16, "relu"), new BatchNormalization(), new Dense(3, "softmax"));
        m.compile("adam", "sparse_categorical_crossentropy");
        Tensor all = new RandomTensors(9).uniform(Shape.of(100, 6), DType.FLOAT32);
        for (int n = 100; n >= 1; n -= 3) { // 34 sizes, none repeated
            Tensor x = all.narrow(0, 0, n);
            Tensor predicted = m.predict(x, 128);
            assertArrayEquals(m.apply(x).toFloatArray(), predicted.toFloatArray(), 1e-5f, "batch " + n);
        }
        // powers of two up to 128 (8) plus the first call's own size: ceil(log2 100) + 2 = 9
        assertTrue(m.trainer.jitCompilations() <= 9, "programs compiled: " + m.trainer.jitCompilations());
    }

    @Test
    void anLstmModelSharesThePowerOfTwoProgramsToo() {
        // the fused recurrence runs each example's loop alone, so padded rows change no real one
        Model m = new Sequential(Input.of(6, 3), new LSTM(8), new Dense(3, "softmax"));
        m.compile("adam", "sparse_categorical_crossentropy");
        Tensor all = new RandomTensors(11).uniform(Shape.of(40, 6, 3), DType.FLOAT32);
        for (int n = 40; n >= 1; n -= 3) { // 14 sizes, none repeated
            Tensor x = all.narrow(0, 0, n);
            assertArrayEquals(m.apply(x).toFloatArray(), m.predict(x, 64).toFloatArray(), 1e-5f, "batch " + n);
        }
        // powers of two up to 64 (7) plus the first call's own size
        assertTrue(m.trainer.jitCompilations() <= 8, "programs compiled: " + m.trainer.jitCompilations());
    }
}
