package dev.javelin.tensor.reference;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backend;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.tensor.spi.Storage;

/** The naive, obviously correct CPU backend: the oracle (being written). */
public final class ReferenceBackend implements Backend {
    public static final ReferenceBackend INSTANCE = new ReferenceBackend();

    public ReferenceBackend() {}

    @Override public String name() { return "reference"; }
    @Override public Device.Type deviceType() { return Device.Type.CPU; }
    @Override public int priority() { return 0; }
    @Override public boolean isAvailable() { return true; }

    @Override
    public Storage allocate(DType dtype, int length, Device device) {
        return HeapStorage.allocate(dtype, length);
    }

    @Override
    public void execute(OpCall call, Tensor out) {
        throw new UnsupportedOperationException("reference: " + call.op() + " not yet implemented");
    }

    @Override
    public HeapStorage toHost(Tensor t) {
        return t.toHost();
    }

    @Override
    public Storage fromHost(HeapStorage host, Device device) {
        return host;
    }
}
