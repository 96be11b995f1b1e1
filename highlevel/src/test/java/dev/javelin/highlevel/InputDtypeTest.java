package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A model's inputs take the dtype of its Input, as Keras's functional models convert them: float64 data
 * (what a Java double[][] becomes) ran every layer of a float32 model in float64, about 20x slower.
 */
class InputDtypeTest {
    @Test
    void float64DataRunsAFloat32ModelInFloat32() {
        Tensor x = Tensors.normal(Shape.of(12, 5, 3), 1), y = Tensors.normal(Shape.of(12, 2), 2);
        List<Supplier<Model>> models = List.of(
                () -> new Sequential(new InputLayer(5, 3), new LSTM(4), new Dense(2)),
                () -> {
                    Tensor in = Input.of(5, 3);
                    return new Model(in, new Dense(2).apply(new LSTM(4).apply(in)));
                });
        for (Supplier<Model> make : models) {
            Seeds.setGlobal(3);
            Model m32 = make.get();
            m32.compile("adam", "mse");
            Seeds.setGlobal(3);
            Model m64 = make.get();
            m64.compile("adam", "mse");
            Tensor p = m64.predict(x.cast(DType.FLOAT64));
            assertEquals(DType.FLOAT32, p.dtype());
            assertArrayEquals(m32.predict(x).toFloatArray(), p.toFloatArray());
            FitOptions fit = FitOptions.builder().batchSize(4).epochs(2).seed(5).verbose(0).build();
            assertEquals(m32.fit(x, y, fit).history(), m64.fit(x.cast(DType.FLOAT64), y, fit).history(), "the same training, bit for bit");
            assertArrayEquals(m32.predict(x).toFloatArray(), m64.predict(x).toFloatArray());
        }
    }
}
