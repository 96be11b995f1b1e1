package dev.javelin.tensor.spi;

import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * Propagates shapes and dtypes only: every result is a symbolic tensor (no storage). Keras-style
 * functional models and {@code summary()} use it to know every shape before data flows.
 *
 * <pre>{@code
 * try (var s = Dispatch.use(new SymbolicEngine())) {
 *     Tensor y = Tensor.symbolic(Shape.of(32, 784), DType.FLOAT32, Device.CPU, null).relu();
 * }
 * }</pre>
 */
public final class SymbolicEngine implements Engine {
    @Override
    public Tensor execute(OpCall call) {
        return Tensor.symbolic(call.shape(), call.dtype(), call.device(), call);
    }
}
