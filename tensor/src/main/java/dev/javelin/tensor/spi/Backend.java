package dev.javelin.tensor.spi;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.List;

/**
 * What a compute backend implements. Backends are found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.javelin.tensor.spi.Backend} and {@code provides} in module-info);
 * for each device type the available backend with the highest {@link #priority()} runs the ops.
 * A new backend (a TornadoVM one, say) is one class implementing this, in its own jar.
 *
 * <p>Views (the {@link dev.javelin.tensor.Op.Kind#MOVEMENT} ops) never reach a backend in the eager
 * engine: they are offset and stride arithmetic done once in {@link Views}. Everything else does.
 */
public interface Backend {
    /** A short name for logs, e.g. {@code reference}, {@code cpu-vector}, {@code cuda}. */
    String name();

    /** The kind of device this backend runs ops on. */
    Device.Type deviceType();

    /** Higher wins among available backends of one device type; the reference backend is 0. */
    int priority();

    /** False where this backend cannot run here (no driver, no device); must never throw. */
    boolean isAvailable();

    /**
     * Whether a compiled program may run the JIT's generated kernels (fused elementwise loops,
     * reductions, row groups, contraction epilogues) on this backend's memory. A backend that says no
     * (the reference backend, and any backend that does not opt in) gets every op of a compiled
     * program through {@link #execute} and {@link #contract}, one op at a time, so nothing but the
     * selected backend computes: {@code -Djavelin.backend=reference} makes a compiled program give
     * the oracle's bits.
     *
     * <pre>{@code
     * if (!Backends.forDevice(Device.CPU).runsGeneratedKernels()) { ... plan op by op ... }
     * }</pre>
     */
    default boolean runsGeneratedKernels() {
        return false;
    }

    /** Zeroed storage for {@code length} elements of {@code dtype} on {@code device}. */
    Storage allocate(DType dtype, int length, Device device);

    /**
     * Computes {@code call} into {@code out}: a fresh, dense, row-major tensor of the call's shape and
     * dtype on this backend's device. Inputs may be any strided views, including stride 0 (broadcast)
     * and overlapping windows (UNFOLD). Must not write to inputs.
     */
    void execute(OpCall call, Tensor out);

    /**
     * True when {@link #execute} writes every element of {@code out} whatever it held, so a caller may pass
     * reused memory without zeroing it (a compiled program's planned buffers). The default, false, keeps
     * {@code execute}'s promise of a fresh zeroed output, into which an op may accumulate.
     *
     * <pre>{@code
     * if (!backend.writesEveryElement(call)) storage.clear(size);
     * backend.execute(call, out);
     * }</pre>
     */
    default boolean writesEveryElement(OpCall call) {
        return false;
    }

    /**
     * Computes a contraction ({@code MATMUL}, {@code CONV2D}) into {@code out}, a dense row-major
     * tensor of the call's shape and dtype on this backend's device whose contents it overwrites (a
     * compiled program hands over reused buffers), then runs {@code epilogue}, when not null, on
     * blocks of the result as each becomes final (see {@link BlockEpilogue}). Compiled programs run
     * their contractions through this, so a program never bypasses the selected backend.
     *
     * <p>The default computes into fresh storage with {@link #execute}, copies that into {@code out}
     * and hands the whole result over as one block; a backend overrides it to run the epilogue while
     * each block is still in cache.
     *
     * <pre>{@code
     * backend.contract(matmulCall, c, (row0, rows, col0, cols) -> addBiasAndRelu(row0, rows, col0, cols));
     * }</pre>
     */
    default void contract(OpCall call, Tensor out, BlockEpilogue epilogue) {
        int size = Math.toIntExact(call.shape().size());
        Tensor result = Tensor.wrap(allocate(call.dtype(), size, call.device()), call.shape(), call.shape().contiguousStrides(), 0);
        execute(call, result);
        execute(new OpCall(Op.CONTIGUOUS, List.of(result), OpAttrs.NONE, call.shape(), call.dtype(), call.device()), out);
        int rank = call.shape().rank();
        int cols = rank == 0 ? 1 : call.shape().dim(rank - 1);
        if (epilogue != null && size > 0) epilogue.apply(0, size / cols, 0, cols);
    }

    /**
     * As {@link #contract(OpCall, Tensor, BlockEpilogue)}, where the caller knows one operand never
     * changes between calls ({@code constant}, may be null): a backend may keep a form of it derived
     * once there (a transformed or packed weight) instead of deriving it on every call. The default
     * ignores it.
     *
     * <pre>{@code
     * ConstantOperand filter = new ConstantOperand(1);          // kept by the caller across calls
     * backend.contract(convCall, out, epilogue, filter);
     * }</pre>
     */
    default void contract(OpCall call, Tensor out, BlockEpilogue epilogue, ConstantOperand constant) {
        contract(call, out, epilogue);
    }

    /**
     * As {@link #contract(OpCall, Tensor, BlockEpilogue, ConstantOperand)} without an epilogue, for a float32
     * {@code MATMUL} of one matrix ({@code [m, k]·[k, n]}), and the sums of its second operand B over its k rows
     * into {@code sums} ({@code n} dense elements on this device): {@code sums[j] = ((0 + B[0][j]) + B[1][j]) + ...
     * + B[k-1][j]}, added in that order, the bits of a column sum that adds row after row. A weight gradient
     * {@code xᵀ·dY} and its bias gradient (dY summed over its rows) so read dY once (a compiled program pairs
     * them; {@code Jit.explain} says where). The default runs the contraction, then the sum through
     * {@link #execute}.
     *
     * <pre>{@code
     * backend.contractWithColumnSums(weightGradientCall, dw, null, db);   // dw = x^T dY, db = dY summed over rows
     * }</pre>
     */
    default void contractWithColumnSums(OpCall call, Tensor out, ConstantOperand constant, Tensor sums) {
        Tensor b = call.input(1);
        if (call.op() != Op.MATMUL || b.rank() != 2 || call.shape().rank() != 2 || sums.size() != b.dim(1)) {
            throw new IllegalArgumentException(name() + ": contractWithColumnSums takes a matmul of one matrix and "
                    + b.dim(-1) + " sums, got " + call.op().label() + " " + call.shape() + " with B " + b.shape() + " and sums " + sums.shape());
        }
        contract(call, out, null, constant);
        Shape row = Shape.of(1, b.dim(1));
        execute(new OpCall(Op.REDUCE_SUM, List.of(b), new OpAttrs.Reduce(new int[] {0}, true), row, b.dtype(), b.device()),
                Tensor.wrap(sums.storage(), row, row.contiguousStrides(), sums.offset()));
    }

    /** Copies {@code t} (any layout, on this backend's device) into dense row-major host storage. */
    HeapStorage toHost(Tensor t);

    /** Copies dense host storage to {@code device}. */
    Storage fromHost(HeapStorage host, Device device);
}
