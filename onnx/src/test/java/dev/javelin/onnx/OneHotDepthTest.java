package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.onnx.proto.OnnxProto.GraphProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A OneHot whose depth is hostile (10^9) is refused naming the node, before anything of that size is made. */
class OneHotDepthTest {
    @Test
    void aHostileDepthIsRefusedAtLoad() {
        GraphProto g = Protos.graph("onehot")
                .addInput(Protos.value("ids", TensorReader.INT64, 4))
                .addInitializer(Protos.int64s("depth", 1_000_000_000L))
                .addInitializer(Protos.initializer("values", new float[] {0, 1}, 2))
                .addNode(Protos.node("oh", "OneHot", List.of("ids", "depth", "values"), List.of("y")))
                .addOutput(Protos.floats("y", 4, 1_000_000_000L)).build();
        Exception e = assertThrows(Exception.class, () -> OnnxModel.load(Protos.model(17, g).toByteArray(), "onehot.onnx"));
        assertTrue(e.getMessage().contains("OneHot") && e.getMessage().contains("depth 1000000000"), e.getMessage());
    }
}
