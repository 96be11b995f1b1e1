package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An input dimension of any size ({@link InputLayer#ANY}, Keras's {@code None}): a sequence length the layers do not depend on. */
class InputAnySizeTest {
    @Test
    void aModelTakesEveryLengthAndSavesTheFreeDimension(@TempDir Path dir) throws IOException {
        Tensor tokens = Input.of(InputLayer.ANY, 4);
        Dense dense = new Dense(3);
        Model model = new Model(tokens, dense.apply(tokens));
        for (int length : new int[] {1, 5, 7}) {
            Tensor x = Tensors.normal(Shape.of(2, length, 4), length);
            Tensor y = model.predict(x);
            assertEquals(Shape.of(2, length, 3), y.shape());
            assertArrayEquals(x.matmul(dense.kernel().value()).add(dense.bias().value()).toFloatArray(), y.toFloatArray(), 1e-6f);
        }
        Path file = dir.resolve("any.safetensors");
        model.save(file);
        Model loaded = Model.load(file);
        Tensor x = Tensors.normal(Shape.of(3, 9, 4), 1);
        assertArrayEquals(model.predict(x).toFloatArray(), loaded.predict(x).toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.predict(Tensors.zeros(2, 5, 3)));
        assertTrue(e.getMessage().contains("[batch, any, 4]"), e.getMessage());
    }

    @Test
    void otherNegativeSizesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Input.of(-2, 4));
        assertTrue(e.getMessage().contains("-1 for any size"), e.getMessage());
    }
}
