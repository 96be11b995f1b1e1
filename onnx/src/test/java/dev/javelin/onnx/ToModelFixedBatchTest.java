package dev.javelin.onnx;

import static dev.javelin.onnx.Protos.floats;
import static dev.javelin.onnx.Protos.graph;
import static dev.javelin.onnx.Protos.initializer;
import static dev.javelin.onnx.Protos.int64s;
import static dev.javelin.onnx.Protos.model;
import static dev.javelin.onnx.Protos.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Model;
import dev.javelin.onnx.proto.OnnxProto.AttributeProto;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A file exported without a dynamic batch (torch.onnx.export's default) holds shapes computed for its
 * batch. OnnxModel runs it at that batch; toModel frees the batch where it flows through Reshapes to
 * constant shapes ({@link FixedBatch}) and names the node where it cannot.
 */
class ToModelFixedBatchTest {
    /**
     * x [3, 4] -> Reshape [3, 2, 2] -> Transpose 0,2,1 -> Reshape [6, 2] -> Reshape [3, 4] (the batch
     * merged with the next axis and split out again, as exported attention does with [T*B, E]) -> Add x.
     */
    private static byte[] batchBakedReshapes() {
        var g = graph("baked").addInput(floats("x", 3, 4)).addOutput(floats("y", 3, 4))
                .addInitializer(int64s("split", 3, 2, 2)).addInitializer(int64s("merged", 6, 2)).addInitializer(int64s("rows", 3, 4))
                .addNode(node("/split/Reshape", "Reshape", List.of("x", "split"), List.of("s")))
                .addNode(node("/swap/Transpose", "Transpose", List.of("s"), List.of("t"), perm(0, 2, 1)))
                .addNode(node("/merge/Reshape", "Reshape", List.of("t", "merged"), List.of("m")))
                .addNode(node("/rows/Reshape", "Reshape", List.of("m", "rows"), List.of("r")))
                .addNode(node("/Add", "Add", List.of("r", "x"), List.of("y")));
        return model(17, g.build()).toByteArray();
    }

    private static AttributeProto perm(long... p) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName("perm").setType(AttributeProto.AttributeType.INTS);
        for (long v : p) a.addInts(v);
        return a.build();
    }

    @Test
    void onnxModelRunsTheFileAtItsBatch() throws OnnxFormatException {
        OnnxModel m = OnnxModel.load(batchBakedReshapes(), "baked");
        Tensor x = Tensors.normal(Shape.of(3, 4), 1);
        assertArrayEquals(reference(x).toFloatArray(), m.call(x)[0].toFloatArray());
    }

    @Test
    void toModelFreesTheBatchOfReshapesToConstantShapes() throws OnnxFormatException {
        Model model = OnnxModel.load(batchBakedReshapes(), "baked").toModel();
        for (int batch : new int[] {3, 1, 5}) {
            Tensor x = Tensors.normal(Shape.of(batch, 4), batch);
            assertArrayEquals(reference(x).toFloatArray(), model.predict(x).toFloatArray(), 1e-6f, "batch " + batch);
        }
    }

    /** Each row [a, b, c, d] becomes [a, c, b, d] + the row. */
    private static Tensor reference(Tensor x) {
        return x.reshape(x.dim(0), 2, 2).permute(0, 2, 1).contiguous().reshape(x.dim(0), 4).add(x);
    }

    /** x [3, len, 4] -> Reshape [3, -1, 2] -> ReduceSum over axis 1: the batch and a free length in one target. */
    @Test
    void aFixedBatchBesideAFreeLengthKeepsTheLengthFree() throws OnnxFormatException {
        var g = graph("baked").addInput(floats("x", 3, -1, 4)).addOutput(floats("y", 3, 2))
                .addInitializer(int64s("pairs", 3, -1, 2)).addInitializer(int64s("axes", 1))
                .addNode(node("/pairs/Reshape", "Reshape", List.of("x", "pairs"), List.of("p")))
                .addNode(node("/sum/ReduceSum", "ReduceSum", List.of("p", "axes"), List.of("y"), Protos.intAttr("keepdims", 0)));
        Model model = OnnxModel.load(model(17, g.build()).toByteArray(), "baked").toModel();
        for (int[] size : new int[][] {{3, 5}, {2, 7}, {4, 1}}) {
            Tensor x = Tensors.normal(Shape.of(size[0], size[1], 4), size[1]);
            Tensor expected = x.reshape(size[0], -1, 2).sum(new int[] {1}, false);
            assertArrayEquals(expected.toFloatArray(), model.predict(x).toFloatArray(), 1e-5f, "batch " + size[0] + ", length " + size[1]);
        }
    }

    /** A constant of one value shaped for the file's batch (as PyTorch folds a mask's zeros) broadcasts at any batch. */
    @Test
    void aConstantOfOneValueShapedForTheBatchBroadcasts() throws OnnxFormatException {
        float[] half = new float[12];
        java.util.Arrays.fill(half, 0.5f);
        var g = graph("baked").addInput(floats("x", 3, 4)).addOutput(floats("y", 3, 4))
                .addInitializer(initializer("offsets", half, 3, 4))
                .addNode(node("/offset/Add", "Add", List.of("x", "offsets"), List.of("y")));
        Model model = OnnxModel.load(model(17, g.build()).toByteArray(), "baked").toModel();
        Tensor x = Tensors.normal(Shape.of(5, 4), 5);
        assertArrayEquals(x.add(0.5).toFloatArray(), model.predict(x).toFloatArray());
    }

    @Test
    void toModelNamesTheNodeThatKeepsTheBatch() throws OnnxFormatException {
        float[] rows = new float[12];
        for (int i = 0; i < rows.length; i++) rows[i] = i; // a value per batch row: nothing toModel can free
        var g = graph("baked").addInput(floats("x", 3, 4)).addOutput(floats("y", 3, 4))
                .addInitializer(initializer("offsets", rows, 3, 4))
                .addNode(node("/offset/Add", "Add", List.of("x", "offsets"), List.of("y")));
        OnnxModel m = OnnxModel.load(model(17, g.build()).toByteArray(), "baked");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, m::toModel);
        assertTrue(e.getMessage().contains("node '/offset/Add' (Add)"), e.getMessage());
        assertTrue(e.getMessage().contains("fixes the batch at 3"), e.getMessage());
        assertTrue(e.getMessage().contains("dynamic_axes"), e.getMessage());
    }
}
