package dev.javelin.tensor.spi;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.List;

/**
 * The default engine: runs each op now. Views are made here (stride arithmetic, no backend call);
 * every other op gets a fresh dense output from the device's backend. With {@code JAVELIN_DEBUG=1}
 * each backend call prints one line: op, shapes, microseconds.
 */
public final class EagerEngine implements Engine {
    /** The one instance; it has no state. */
    public static final EagerEngine INSTANCE = new EagerEngine();
    private static final int DEBUG = Debug.level();

    private EagerEngine() {}

    @Override
    public Tensor execute(OpCall call) {
        for (Tensor t : call.inputs()) {
            if (t.isSymbolic()) {
                throw new IllegalStateException(call.op().label() + ": a symbolic tensor " + t.shape()
                        + " reached the eager engine; it only has a shape: call the model on real data, and in a functional"
                        + " model combine its symbolic tensors with layers (Add, Multiply, Concatenate, Lambda), not tensor ops");
            }
        }
        if (call.op().isView()) {
            Tensor in = call.input(0);
            Views.Layout layout = Views.layout(call, in.strides(), in.offset());
            if (layout == null) { // a reshape of a non-contiguous view: copy, then view the copy
                Tensor dense = run(new OpCall(Op.CONTIGUOUS, List.of(in), OpAttrs.NONE, in.shape(), in.dtype(), in.device()));
                layout = Views.layout(call, dense.strides(), dense.offset());
                in = dense;
            }
            return Tensor.wrap(in.storage(), call.shape(), layout.strides(), layout.offset());
        }
        return run(call);
    }

    private static Tensor run(OpCall call) {
        Backend backend = Backends.forDevice(call.device());
        Storage storage = backend.allocate(call.dtype(), call.shape().sizeAsInt(), call.device());
        Tensor out = Tensor.wrap(storage, call.shape(), call.shape().contiguousStrides(), 0);
        long start = DEBUG > 0 ? System.nanoTime() : 0;
        try {
            backend.execute(call, out);
        } catch (RuntimeException | Error e) {
            storage.close(); // a failed op's output (device memory) goes back now, not when the GC finds it
            throw e;
        }
        if (DEBUG > 0) {
            System.err.printf("[javelin] %-10s %s  %.1f us%n", backend.name(), call, (System.nanoTime() - start) / 1e3);
        }
        return out;
    }
}
