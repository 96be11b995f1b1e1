package dev.javelin.tensor.spi;

import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;

/**
 * Sees every primitive op at the dispatch seam after the engine produced its result; this is how a
 * gradient tape records without any op knowing about it.
 */
public interface OpObserver {
    /** Called after {@code call} produced {@code result} (under any engine). */
    void onOp(OpCall call, Tensor result);

    /**
     * A trainable variable was read; a tape watches it, as TensorFlow's does. Returns the tensor the
     * read hands to the caller: {@code value} itself, or (a tape, when that tensor object already
     * stands for another variable's read) an alias of the same memory, so each variable keeps its own
     * gradient.
     */
    default Tensor onRead(Variable variable, Tensor value) {
        return value;
    }
}
