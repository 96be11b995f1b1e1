package dev.javelin.tensor.spi;

import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;

/**
 * The one dispatch seam: every primitive op, after its checks, is handed to the engine active on the
 * current thread ({@link Dispatch#engine()}). The eager engine runs it now; the JIT's tracing engine
 * adds a node to a graph; the symbolic engine only propagates shapes.
 */
public interface Engine {
    /** Runs or records one checked primitive op and returns its result. */
    Tensor execute(OpCall call);

    /** The value of {@code v} as this engine sees it; a tracer lifts it into a graph input. */
    default Tensor read(Variable v) {
        return v.stored();
    }

    /** Makes {@code value} the new value of {@code v}; a tracer records it as a program output. */
    default void assign(Variable v, Tensor value) {
        v.store(value);
    }
}
