package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.Tensor;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models exported by torch.onnx.export (make_onnx_fixtures.py) give PyTorch's outputs within 1e-4
 * relative, compiled and op by op.
 */
class ExportedModelsTest {
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "convnet", "encoder", "torch_encoder", "decoder", "torch_encoder_nomask", "attention_seq_first"})
    void matchesPyTorch(String name) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        OnnxModel model = OnnxModel.load(c.model());
        Map<String, Tensor> compiled = model.run(c.inputs());
        Tensor[] eager = model.apply(c.inputArray());
        int i = 0;
        for (Map.Entry<String, Tensor> e : c.outputs().entrySet()) {
            TensorAssert.assertClose(e.getValue(), compiled.get(e.getKey()), 1e-4, 1e-5);
            TensorAssert.assertClose(e.getValue(), eager[i++], 1e-4, 1e-5);
        }
        assertEquals(c.outputs().keySet(), compiled.keySet());
    }
}
