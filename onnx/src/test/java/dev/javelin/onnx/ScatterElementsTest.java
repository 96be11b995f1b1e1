package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.onnx.proto.OnnxProto.AttributeProto;
import dev.javelin.onnx.proto.OnnxProto.GraphProto;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ONNX ScatterElements (what torch.scatter and scatter_add export) was refused as unsupported. Beside
 * OperatorCasesTest's generated cases: placement and addition worked out by hand on a small case
 * (a negative index included), and the refusals by name.
 */
class ScatterElementsTest {
    private static OnnxModel model(long[] indices, String reduction) throws Exception {
        GraphProto g = Protos.graph("scatter")
                .addInput(Protos.floats("data", 2, 4)).addInput(Protos.floats("updates", 2, 2))
                .addInitializer(Protos.int64s("idx", indices).toBuilder().clearDims().addDims(2).addDims(2).build())
                .addNode(Protos.node("s", "ScatterElements", List.of("data", "idx", "updates"), List.of("y"), Protos.intAttr("axis", 1),
                        AttributeProto.newBuilder().setName("reduction").setType(AttributeProto.AttributeType.STRING)
                                .setS(com.google.protobuf.ByteString.copyFromUtf8(reduction)).build()))
                .addOutput(Protos.floats("y", 2, 4)).build();
        return OnnxModel.load(Protos.model(16, g).toByteArray(), "scatter.onnx");
    }

    @Test
    void placesEachUpdateAtItsIndexAlongTheAxis() throws Exception {
        Tensor data = Tensors.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);
        Tensor updates = Tensors.of(new float[] {10, 20, 30, 40}, 2, 2);
        // row 0: positions 3 and 0; row 1: position -1 (3) and 1
        assertArrayEquals(new float[] {20, 2, 3, 10, 5, 40, 7, 30},
                model(new long[] {3, 0, -1, 1}, "none").call(data, updates)[0].toFloatArray());
        assertArrayEquals(new float[] {21, 2, 3, 14, 5, 46, 7, 38},
                model(new long[] {3, 0, -1, 1}, "add").call(data, updates)[0].toFloatArray());
    }

    @Test
    void otherReductionsAndIndicesOffTheAxisAreRefusedByName() {
        Exception mul = assertThrows(Exception.class, () -> model(new long[] {0, 1, 2, 3}, "mul"));
        assertTrue(mul.getMessage().contains("ScatterElements") && mul.getMessage().contains("reduction \"mul\" is not supported"), mul.getMessage());
        Exception off = assertThrows(Exception.class, () -> model(new long[] {0, 4, 2, 3}, "none"));
        assertTrue(off.getMessage().contains("index 4 is out of range for a dimension of 4"), off.getMessage());
    }
}
