package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link OnnxModel#toModel()}: PyTorch's outputs from layers, a summary, fine-tuning, saving and loading. */
class ToModelTest {
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "convnet"})
    void layersGivePyTorchsOutputs(String name) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        Model model = OnnxModel.load(c.model()).toModel();
        Tensor expected = c.outputs().values().iterator().next();
        TensorAssert.assertClose(expected, model.predict(c.inputs().values().iterator().next()), 1e-4, 1e-5);
    }

    @Test
    void theConvnetMapsOntoKerasLayers() throws IOException {
        Model model = OnnxModel.load(OnnxFixtures.load("models", "convnet").model()).toModel();
        String summary = model.summaryText();
        for (String layer : List.of("Conv2D", "BatchNormalization", "Activation", "Add", "Flatten", "Dense", "OnnxOpLayer")) {
            assertTrue(summary.contains(layer), layer + " missing from\n" + summary);
        }
    }

    @Test
    void aFineTunedImportedConvnetLosesLoss() throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", "convnet");
        Model model = OnnxModel.load(c.model()).toModel();
        Tensor x = Tensors.normal(Shape.of(16, 3, 16, 16), 7);
        Tensor y = Tensors.normal(Shape.of(16, 10), 8);
        model.compile("adam", "mse");
        History h = model.fit(x, y, 8, 8);
        List<Double> loss = h.history().get("loss");
        assertTrue(loss.get(loss.size() - 1) < loss.get(0) * 0.95, "loss per epoch: " + loss);
    }

    @Test
    void savesAndLoads(@TempDir Path dir) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", "convnet");
        Model model = OnnxModel.load(c.model()).toModel();
        Path file = dir.resolve("convnet.safetensors");
        model.save(file);
        OnnxModel.registerLayers();
        Model loaded = Model.load(file);
        Tensor x = c.inputs().values().iterator().next();
        assertArrayEquals(model.predict(x).toFloatArray(), loaded.predict(x).toFloatArray());
    }
}
