package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link OnnxModel#toModel()}: PyTorch's outputs from layers, a summary, fine-tuning, saving and loading. */
class ToModelTest {
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "convnet", "encoder", "torch_encoder", "decoder"})
    void layersGivePyTorchsOutputs(String name) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        Model model = convert(c);
        Tensor expected = c.outputs().values().iterator().next();
        TensorAssert.assertClose(expected, predict(model, c), 1e-4, 1e-5);
    }

    /** The fixture's model as layers, its symbolic dimensions after the batch axis at the sizes of its test inputs. */
    static Model convert(OnnxFixtures.Case c) throws IOException {
        OnnxModel onnx = OnnxModel.load(c.model());
        Map<String, Integer> sizes = new HashMap<>();
        for (ValueInfo in : onnx.inputs()) {
            for (int d = 1; d < in.dims().length; d++) if (in.isDynamic(d)) sizes.put(in.dimNames()[d], c.inputs().get(in.name()).dim(d));
        }
        return onnx.toModel(sizes);
    }

    static Tensor predict(Model model, OnnxFixtures.Case c) {
        Tensor[] in = c.inputArray();
        return model.predictOutputs(List.of(in), 32).get(0);
    }

    /**
     * The transformers' summaries show their Dense and LayerNormalization layers, and every PyTorch
     * parameter is a trainable weight: the counts are PyTorch's {@code sum(p.numel() for p in
     * model.parameters())} for the fixtures' modules (make_onnx_fixtures.py's Encoder and Decoder).
     */
    @ParameterizedTest
    @CsvSource({"encoder, 17187", "decoder, 20914"})
    void theTransformersMapOntoKerasLayersWithEveryParameterTrainable(String name, long pytorchParameters) throws IOException {
        Model model = convert(OnnxFixtures.load("models", name));
        String summary = model.summaryText();
        for (String layer : List.of("Dense", "LayerNormalization", "Activation", "Add", "OnnxOpLayer")) {
            assertTrue(summary.contains(layer), name + ": " + layer + " missing from\n" + summary);
        }
        long trainable = model.trainableWeights().stream().mapToLong(v -> v.shape().size()).sum();
        assertEquals(pytorchParameters, trainable, summary);
    }

    /** The shape arithmetic of an exported transformer follows the batch the layers are called with. */
    @Test
    void theEncodersLayersTakeAnyBatchSize() throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", "encoder");
        OnnxModel onnx = OnnxModel.load(c.model());
        Model model = onnx.toModel();
        for (int batch : new int[] {1, 5}) {
            Tensor x = Tensors.normal(Shape.of(batch, 10, 32), batch);
            TensorAssert.assertClose(onnx.call(x)[0], model.predict(x), 1e-4, 1e-5);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"encoder", "decoder"})
    void aFineTunedImportedTransformerLosesLoss(String name) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        Model model = OnnxModel.load(c.model()).toModel(); // the decoder's length stays free
        Tensor sample = c.inputArray()[0];
        Shape in = sample.shape().with(0, 8);
        Tensor x = sample.dtype().isFloating() ? Tensors.normal(in, 3) : Tensors.randint(in, 0, 50, 3).cast(sample.dtype());
        Tensor y = Tensors.normal(model.predict(x).shape(), 4);
        model.compile("adam", "mse");
        List<Double> loss = model.fit(x, y, 4, 6).history().get("loss");
        for (int i = 1; i < loss.size(); i++) assertTrue(loss.get(i) < loss.get(i - 1), "loss per epoch: " + loss);
        assertTrue(loss.get(loss.size() - 1) < loss.get(0) * 0.97, "loss per epoch: " + loss);
    }

    @ParameterizedTest
    @ValueSource(strings = {"encoder", "torch_encoder", "decoder"})
    void aConvertedTransformerSavesAndLoads(String name, @TempDir Path dir) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        Model model = convert(c);
        Path file = dir.resolve(name + ".safetensors");
        model.save(file);
        OnnxModel.registerLayers();
        Model loaded = Model.load(file);
        assertArrayEquals(predict(model, c).toFloatArray(), predict(loaded, c).toFloatArray());
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
