package dev.javelin.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.SymbolicEngine;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backward pass is made of ordinary ops only: under an engine that computes no data (as the JIT's
 * tracer does not), the tape still builds every gradient, with the right shapes and dtypes.
 */
class SymbolicBackwardTest {
    private static Tensor symbolic(int... dims) {
        return Tensor.symbolic(Shape.of(dims), DType.FLOAT32, Device.CPU, "input");
    }

    @Test
    void aConvNetsGradientsAreBuiltWithoutData() {
        try (Dispatch.Scope engine = Dispatch.use(new SymbolicEngine())) {
            Tensor x = symbolic(2, 8, 8, 3);
            Variable filter = new Variable("filter", symbolic(3, 3, 3, 4), true);
            Variable dense = new Variable("dense", symbolic(16, 5), true);
            Variable gamma = new Variable("gamma", symbolic(5), true);
            Tensor labels = Tensor.symbolic(Shape.of(2), DType.INT64, Device.CPU, "labels");
            try (GradientTape tape = GradientTape.record()) {
                tape.watch(x);
                Tensor h = NN.conv2d(x, filter.value(), 2, "same").relu();          // [2, 4, 4, 4]
                h = NN.maxPool2d(h, new int[] {2, 2}, null, "valid").reshape(2, 16); // [2, 16]
                Tensor logits = NN.layerNorm(h.matmul(dense.value()), new int[] {-1}, gamma.value(), null, 1e-5);
                Tensor loss = NN.sparseCategoricalCrossEntropy(logits, labels, true).mean();
                List<Tensor> g = tape.gradient(loss, List.of(filter, dense, gamma));
                assertEquals(Shape.of(3, 3, 3, 4), g.get(0).shape());
                assertEquals(Shape.of(16, 5), g.get(1).shape());
                assertEquals(Shape.of(5), g.get(2).shape());
                // made by the rules, not zeros for an unconnected source: the symbolic engine tags each result with its call
                assertEquals(Op.CONV2D_BACKWARD_FILTER, ((OpCall) g.get(0).symbol()).op());
                assertEquals(Op.MATMUL, ((OpCall) g.get(1).symbol()).op());
                for (Tensor t : g) {
                    assertTrue(t.isSymbolic(), "a gradient was computed eagerly: " + t.shape());
                    assertEquals(DType.FLOAT32, t.dtype());
                }
            }
        }
    }
}
