package dev.javelin.onnx;

import static dev.javelin.onnx.Protos.floats;
import static dev.javelin.onnx.Protos.graph;
import static dev.javelin.onnx.Protos.int64s;
import static dev.javelin.onnx.Protos.model;
import static dev.javelin.onnx.Protos.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A file exported without a dynamic batch (torch.onnx.export's default) may hold shapes computed for
 * its batch. OnnxModel runs it at that batch; toModel, which builds for any batch, says why it cannot.
 */
class ToModelFixedBatchTest {
    /** x [3, 4] flattened to [12] by a Reshape to a constant shape, as an exporter writes [batch * heads, ...]. */
    private static byte[] batchBakedReshape() {
        var g = graph("baked").addInput(floats("x", 3, 4)).addOutput(floats("y", 12))
                .addInitializer(int64s("shape", 12))
                .addNode(node("/flat/Reshape", "Reshape", List.of("x", "shape"), List.of("y")));
        return model(17, g.build()).toByteArray();
    }

    @Test
    void onnxModelRunsTheFileAtItsBatch() throws OnnxFormatException {
        OnnxModel m = OnnxModel.load(batchBakedReshape(), "baked");
        float[] x = new float[12];
        for (int i = 0; i < x.length; i++) x[i] = i - 5.5f;
        Tensor[] y = m.call(Tensors.of(x, 3, 4));
        assertArrayEquals(x, y[0].toFloatArray());
    }

    @Test
    void toModelNamesTheFixedBatchAndTheWayOut() throws OnnxFormatException {
        OnnxModel m = OnnxModel.load(batchBakedReshape(), "baked");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, m::toModel);
        assertTrue(e.getMessage().contains("Reshape"), e.getMessage());
        assertTrue(e.getMessage().contains("input 'x' at batch 3"), e.getMessage());
        assertTrue(e.getMessage().contains("dynamic_axes"), e.getMessage());
    }
}
