package dev.javelin.jit;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backend;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.tensor.spi.Storage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference backend behind a counter of the ops it executes, for tests that check which backend
 * ran a compiled program's ops. Found through {@code META-INF/services} of the jit tests; its priority
 * is below the reference's, so only {@code Backends.prefer(NAME)} selects it. Like the reference it
 * runs no generated kernels.
 */
public final class CountingReferenceBackend implements Backend {
    static final String NAME = "counting-reference";
    private static final Map<Op, Integer> EXECUTED = new ConcurrentHashMap<>();
    private final Backend reference = Backends.reference();

    /** Ops executed since the last {@link #reset()}, with how often. */
    static Map<Op, Integer> executed() {
        return Map.copyOf(EXECUTED);
    }

    static void reset() {
        EXECUTED.clear();
    }

    @Override public String name() { return NAME; }
    @Override public Device.Type deviceType() { return Device.Type.CPU; }
    @Override public int priority() { return -1; }
    @Override public boolean isAvailable() { return true; }
    @Override public Storage allocate(DType dtype, int length, Device device) { return reference.allocate(dtype, length, device); }
    @Override public HeapStorage toHost(Tensor t) { return reference.toHost(t); }
    @Override public Storage fromHost(HeapStorage host, Device device) { return reference.fromHost(host, device); }

    @Override
    public void execute(OpCall call, Tensor out) {
        EXECUTED.merge(call.op(), 1, Integer::sum);
        reference.execute(call, out);
    }
}
