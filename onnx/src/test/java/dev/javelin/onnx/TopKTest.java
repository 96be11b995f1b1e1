package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.onnx.proto.OnnxProto.GraphProto;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ONNX TopK ({@code torch.topk} exports it: beam search, top-k sampling, detection heads) was refused as
 * unsupported. Values and int64 indices against a plain selection loop, largest and smallest, on each
 * axis, with ties (the lower index first, as ONNX specifies), K = 0 and K = the axis; a K past the axis
 * is refused naming the node.
 */
class TopKTest {
    private static OnnxModel model(long k, long axis, long largest, int... dims) throws Exception {
        long[] d = Arrays.stream(dims).asLongStream().toArray();
        long[] o = d.clone();
        o[(int) (axis < 0 ? axis + d.length : axis)] = Math.min(k, o[(int) (axis < 0 ? axis + d.length : axis)]);
        GraphProto g = Protos.graph("topk")
                .addInput(Protos.floats("x", d))
                .addInitializer(Protos.int64s("k", k))
                .addNode(Protos.node("top", "TopK", List.of("x", "k"), List.of("values", "indices"), Protos.intAttr("axis", axis),
                        Protos.intAttr("largest", largest)))
                .addOutput(Protos.floats("values", o)).addOutput(Protos.value("indices", TensorReader.INT64, o)).build();
        return OnnxModel.load(Protos.model(17, g).toByteArray(), "topk.onnx");
    }

    /** The K positions along the last axis of a [rows, n] array, by value then lower index. */
    private static long[] expectedIndices(float[] x, int rows, int n, int k, boolean largest) {
        long[] out = new long[rows * k];
        for (int r = 0; r < rows; r++) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            final int row = r;
            Arrays.sort(order, (a, b) -> {
                int c = Float.compare(x[row * n + a], x[row * n + b]);
                return c != 0 ? (largest ? -c : c) : Integer.compare(a, b);
            });
            for (int j = 0; j < k; j++) out[r * k + j] = order[j];
        }
        return out;
    }

    @Test
    void valuesAndIndicesAsASelectionLoopWithTiesLowerIndexFirst() throws Exception {
        Random random = new Random(3);
        for (int k : new int[] {0, 1, 3, 7}) {
            for (boolean largest : new boolean[] {true, false}) {
                float[] x = new float[4 * 7];
                for (int i = 0; i < x.length; i++) x[i] = random.nextInt(5) - 2; // many ties
                Tensor[] out = model(k, -1, largest ? 1 : 0, 4, 7).call(Tensors.of(x, 4, 7));
                long[] want = expectedIndices(x, 4, 7, k, largest);
                assertEquals(Shape.of(4, k), out[0].shape());
                assertEquals(DType.INT64, out[1].dtype());
                assertArrayEquals(want, out[1].toLongArray(), "k=" + k + " largest=" + largest);
                float[] values = out[0].toFloatArray();
                for (int i = 0; i < want.length; i++) assertEquals(x[(i / Math.max(k, 1)) * 7 + (int) want[i]], values[i]);
            }
        }
    }

    @Test
    void anotherAxisAndAKPastItIsRefused() throws Exception {
        Tensor x = Tensors.normal(Shape.of(5, 3), 1);
        Tensor[] out = model(2, 0, 1, 5, 3).call(x);
        long[] want = expectedIndices(x.mT().contiguous().toFloatArray(), 3, 5, 2, true);
        assertArrayEquals(want, out[1].mT().contiguous().toLongArray());
        Exception e = assertThrows(Exception.class, () -> model(6, 0, 1, 5, 3).call(x));
        assertTrue(e.getMessage().contains("TopK") && e.getMessage().contains("K = 6.0 is out of range for axis 0 of [5, 3]"), e.getMessage());
    }
}
