package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.highlevel.layers.Dense;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keras's test_on_batch and predict_on_batch: one batch, the same numbers as evaluate and predict. */
class OnBatchTest {
    @Test
    void testAndPredictOnBatchMatchEvaluateAndPredict() {
        Model m = new Sequential(Input.of(4), new Dense(3, "softmax"));
        m.compile("sgd", "sparse_categorical_crossentropy", "accuracy");
        Tensor x = new RandomTensors(5).normal(Shape.of(6, 4));
        Tensor y = new RandomTensors(6).labels(Shape.of(6), 3, DType.INT64);
        Map<String, Double> once = m.testOnBatch(x, y);
        assertEquals(m.evaluate(x, y, 6), once);
        assertEquals(once.keySet(), Map.of("loss", 0.0, "accuracy", 0.0).keySet());
        assertArrayEquals(m.predict(x).toFloatArray(), m.predictOnBatch(x).toFloatArray(), 0f);
    }
}
