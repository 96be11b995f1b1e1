package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A symbolic batch dimension ({@code batch_size}) is served from the JIT's power-of-two batch
 * buckets: seven batch sizes from 1 to 13 build at most ceil(log2 13) + 2 = 6 programs, and every
 * size gives the op-by-op results. Shape subgraphs (Shape, Gather, Concat, Reshape) fold per bucket.
 */
class DynamicBatchTest {
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "convnet", "encoder", "torch_encoder", "decoder", "lstm_bi2", "gru_state"})
    void batchSizesShareBucketedPrograms(String name) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        OnnxModel model = OnnxModel.load(c.model());
        int[] sizes = {1, 2, 3, 5, 7, 8, 13};
        for (int n : sizes) {
            Tensor[] x = c.inputArray().clone();
            for (int i = 0; i < x.length; i++) x[i] = batch(x[i], n);
            Tensor got = model.call(x)[0];
            TensorAssert.assertClose(model.apply(x)[0], got, 1e-4, 1e-5);
        }
        long programs = model.function().compilations();
        assertTrue(programs <= 6, name + ": " + programs + " programs for " + sizes.length + " batch sizes: "
                + model.function().recompileReasons());
        assertTrue(model.function().padsBatch(), name + ": the batch is served from padded buckets");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "convnet"})
    void anEmptyBatchGivesAnEmptyResult(String name) throws IOException {
        // as PyTorch's and ONNX Runtime's; the convnet's Flatten made [0, 0] of [0, 8, 1, 1] and its Gemm refused it
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        OnnxModel model = OnnxModel.load(c.model());
        Tensor[] x = c.inputArray().clone();
        for (int i = 0; i < x.length; i++) x[i] = batch(x[i], 0);
        Tensor expected = model.apply(c.inputArray())[0];
        Shape empty = Shape.of(0, expected.dim(1));
        assertEquals(empty, model.apply(x)[0].shape());
        assertEquals(empty, model.call(x)[0].shape());
        assertEquals(Shape.of(0, 4 * 3), new dev.javelin.highlevel.layers.Flatten().apply(Tensors.zeros(0, 4, 3)).shape());
    }

    /** {@code n} rows like the example's (random values; ids stay in the vocabulary; masks keep the first 3 positions). */
    private static Tensor batch(Tensor example, int n) {
        int[] dims = example.shape().toArray();
        dims[0] = n;
        Shape s = Shape.of(dims);
        return switch (example.dtype()) {
            case INT64 -> Tensors.randint(s, 0, 50, n);
            case BOOL -> MathOps.logicalAnd(Tensors.uniform(s, n).lt(0.3), Tensors.arange(dims[1]).ge(Tensors.scalar(3, DType.INT64)));
            default -> Tensors.normal(s, n);
        };
    }
}
