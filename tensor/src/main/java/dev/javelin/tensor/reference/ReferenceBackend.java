package dev.javelin.tensor.reference;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backend;
import dev.javelin.tensor.spi.CounterRng;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.tensor.spi.Storage;

/**
 * The naive, obviously correct CPU backend: the oracle every fast kernel is tested against. Each
 * input view is first read into a dense row-major array (doubles for floating dtypes, longs for
 * integers and bool), then one textbook loop computes the op; results round once when stored.
 * Accumulation (sums, matmul, convolutions, fold, scatter-add) is in double, in a fixed order.
 *
 * <pre>{@code
 * Backends.prefer("reference");   // run everything on the oracle
 * }</pre>
 */
public final class ReferenceBackend implements Backend {
    /** The shared instance; the backend has no state. */
    public static final ReferenceBackend INSTANCE = new ReferenceBackend();

    /** For {@link java.util.ServiceLoader}; prefer {@link #INSTANCE}. */
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
        Op op = call.op();
        switch (op.kind()) {
            case UNARY -> Elementwise.unary(call, out);
            case BINARY -> Elementwise.binary(call, out);
            case TERNARY -> Elementwise.where(call, out);
            case REDUCE -> Reductions.reduce(call, out);
            case MOVEMENT -> Elementwise.copy(moved(call), out);
            case DATA -> {
                switch (op) {
                    case PAD -> DataMovement.pad(call, out);
                    case FOLD -> DataMovement.fold(call, out);
                    case CONTIGUOUS -> Elementwise.copy(call.input(0), out);
                    case CAST -> Elementwise.cast(call, out);
                    default -> throw unknown(call);
                }
            }
            case CONTRACTION -> {
                switch (op) {
                    case MATMUL -> Contractions.matmul(call, out);
                    case CONV2D -> Contractions.conv2d(call, out);
                    case CONV2D_BACKWARD_INPUT -> Contractions.conv2dBackwardInput(call, out);
                    case CONV2D_BACKWARD_FILTER -> Contractions.conv2dBackwardFilter(call, out);
                    case ATTENTION -> AttentionMath.forward(call, out);
                    case ATTENTION_BACKWARD -> AttentionMath.backward(call, out);
                    case RECURRENCE -> {
                        switch (call.attrs(OpAttrs.Recurrence.class).cell()) {
                            case LSTM -> RecurrenceMath.forward(call, out);
                            case GRU -> GruMath.forward(call, out);
                            case GRU_RESET_BEFORE -> GruResetBeforeMath.forward(call, out);
                            case RNN -> RnnMath.forward(call, out);
                        }
                    }
                    case RECURRENCE_BACKWARD -> {
                        switch (call.attrs(OpAttrs.Recurrence.class).cell()) {
                            case LSTM -> RecurrenceMath.backward(call, out);
                            case GRU -> GruMath.backward(call, out);
                            case GRU_RESET_BEFORE -> GruResetBeforeMath.backward(call, out);
                            case RNN -> RnnMath.backward(call, out);
                        }
                    }
                    default -> throw unknown(call);
                }
            }
            case INDEX -> {
                switch (op) {
                    case GATHER -> Indexing.gather(call, out);
                    case SCATTER_ADD -> Indexing.scatterAdd(call, out);
                    case ARGSORT -> Sorting.argsort(call, out);
                    default -> throw unknown(call);
                }
            }
            case RANDOM -> random(call, out);
        }
    }

    /** A movement op that reached a backend anyway (another engine's choice): materialize the view. */
    private static Tensor moved(OpCall call) {
        Tensor in = call.input(0);
        var layout = dev.javelin.tensor.spi.Views.layout(call, in.strides(), in.offset());
        if (layout == null) { // reshape of a non-contiguous view: row-major order is what a reshape keeps
            HeapStorage dense = in.toHost();
            return Tensor.wrap(dense, call.shape());
        }
        return Tensor.wrap(in.storage(), call.shape(), layout.strides(), layout.offset());
    }

    private static void random(OpCall call, Tensor out) {
        long seed = call.input(0).toHost().getLong(0);
        int n = out.shape().sizeAsInt();
        double[] v = new double[n];
        boolean normal = call.op() == Op.RANDOM_NORMAL;
        for (int i = 0; i < n; i++) v[i] = normal ? CounterRng.normal(seed, i) : CounterRng.uniform(seed, i);
        Dense.store(out, v);
    }

    private static IllegalArgumentException unknown(OpCall call) {
        return new IllegalArgumentException("reference: no kernel for " + call);
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
