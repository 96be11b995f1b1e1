package dev.javelin.onnx;

import dev.javelin.tensor.Tensor;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * torchvision's ResNet-18, ResNet-50 and MobileNetV2 (too large to commit) against PyTorch, compiled.
 * Opt-in: write them with {@code make_onnx_fixtures.py --large DIR}, then run with
 * {@code -Djavelin.onnx.models=DIR} (skipped otherwise).
 */
class LargeModelsTest {
    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50", "mobilenet_v2"})
    void matchesPyTorch(String name) throws IOException {
        String dir = System.getProperty("javelin.onnx.models");
        Assumptions.assumeTrue(dir != null, "set -Djavelin.onnx.models=DIR (make_onnx_fixtures.py --large DIR)");
        OnnxFixtures.Case c = OnnxFixtures.load(Path.of(dir, "models"), name);
        long t0 = System.nanoTime();
        OnnxModel model = OnnxModel.load(c.model());
        long t1 = System.nanoTime();
        Map<String, Tensor> out = model.run(c.inputs());
        long t2 = System.nanoTime();
        Map<String, Tensor> again = model.run(c.inputs()); // kernels may keep forms of the weights from the first run
        long t3 = System.nanoTime();
        System.out.printf("%s: load %.2f s, first run (compile + run) %.2f s, second run %.3f s%n", name, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                (t3 - t2) / 1e9);
        for (Map.Entry<String, Tensor> e : c.outputs().entrySet()) {
            TensorAssert.assertClose(e.getValue(), out.get(e.getKey()), 1e-4, 1e-4);
            TensorAssert.assertClose(e.getValue(), again.get(e.getKey()), 1e-4, 1e-4);
        }
    }
}
