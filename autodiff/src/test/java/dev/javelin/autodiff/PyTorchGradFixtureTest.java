package dev.javelin.autodiff;

import static dev.javelin.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.javelin.tensor.IndexingOps;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.Fixtures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradients against PyTorch: each fixture holds float64 inputs, an upstream gradient {@code dy} and
 * the gradients {@code torch.autograd} computed for it (written by test-support/src/test/python/make_fixtures.py).
 */
class PyTorchGradFixtureTest {
    static List<Fixtures.Case> cases() {
        return Fixtures.load("fixtures/grad_fixtures.json");
    }

    /** Our composition of the fixture's op, named as the generator names it; {@code in} gives the input tensors. */
    private static Tensor apply(Fixtures.Case c, Function<String, Tensor> in) {
        return switch (c.string("op")) {
            case "matmul" -> in.apply("a").matmul(in.apply("b"));
            case "conv2d" -> NN.conv2d(in.apply("x"), in.apply("filter"), c.ints("strides"), c.string("padding"),
                    c.ints("dilation"), c.integer("groups"));
            case "max_pool2d" -> NN.maxPool2d(in.apply("x"), c.ints("pool"), c.ints("strides"), c.string("padding"));
            case "avg_pool2d" -> NN.avgPool2d(in.apply("x"), c.ints("pool"), c.ints("strides"), c.string("padding"));
            case "sparse_categorical_crossentropy" -> NN.sparseCategoricalCrossEntropy(in.apply("x"), in.apply("labels"),
                    c.bool("fromLogits"));
            case "layer_norm" -> NN.layerNorm(in.apply("x"), c.ints("axes"), in.apply("gamma"), in.apply("beta"), c.number("eps"));
            case "gather" -> IndexingOps.gather(in.apply("x"), c.integer("axis"), in.apply("index"));
            default -> throw new IllegalArgumentException("PyTorchGradFixtureTest: no mapping for fixture op '" + c.string("op")
                    + "' in case " + c.name());
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchPyTorch(Fixtures.Case c) {
        List<?> wrt = (List<?>) c.fields().get("wrt");
        assertFalse(wrt == null || wrt.isEmpty(), "case " + c.name() + " names no inputs to differentiate");
        // the tape knows tensors by identity: decode each input once and hand the same object to the op
        Map<String, Tensor> inputs = new HashMap<>();
        Function<String, Tensor> in = key -> inputs.computeIfAbsent(key, c::tensor);
        Tensor[] sources = new Tensor[wrt.size()];
        for (int i = 0; i < sources.length; i++) sources[i] = in.apply((String) wrt.get(i));
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(sources);
            Tensor out = apply(c, in);
            assertClose(c.tensor("out"), out, 1e-10, 1e-12);
            Tensor[] grads = tape.gradient(out, sources, c.tensor("dy"));
            for (int i = 0; i < sources.length; i++) {
                assertClose(c.tensor("grad_" + wrt.get(i)), grads[i], 1e-9, 1e-12);
            }
        }
    }
}
