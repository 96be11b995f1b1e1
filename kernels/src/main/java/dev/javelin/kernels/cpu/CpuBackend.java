package dev.javelin.kernels.cpu;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backend;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.BlockEpilogue;
import dev.javelin.tensor.spi.ConstantOperand;
import dev.javelin.tensor.spi.CounterRng;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.tensor.spi.Storage;
import java.util.EnumSet;

/**
 * The fast CPU backend ({@code cpu-vector}): Vector API loops on heap arrays, multithreaded on
 * {@link CpuThreads}. Found through {@link java.util.ServiceLoader} and preferred over the reference
 * backend whenever {@code javelin-kernels} is on the class or module path. Without
 * {@code --add-modules jdk.incubator.vector} it runs scalar loops and says so once.
 *
 * <pre>{@code
 * Backend cpu = Backends.forDevice(Device.CPU);   // cpu-vector
 * CpuThreads.setThreads(2);                       // results stay bit-identical
 * Tensor y = Tensors.ones(1024, 1024).exp().sum(1);
 * }</pre>
 */
public final class CpuBackend implements Backend {
    private final Conv2d conv = new Conv2d();
    private final FlashAttention attention = new FlashAttention();
    private final FlashAttentionBackward attentionBackward = new FlashAttentionBackward();
    private final RecurrenceLoop recurrence = new RecurrenceLoop();

    public CpuBackend() {
        if (!VectorSupport.enabled()) VectorSupport.warnOnce();
    }

    @Override public String name() { return "cpu-vector"; }
    @Override public Device.Type deviceType() { return Device.Type.CPU; }
    @Override public int priority() { return 10; }
    @Override public boolean isAvailable() { return true; }
    /** The JIT's generated loops run on heap arrays, this backend's memory. */
    @Override public boolean runsGeneratedKernels() { return true; }

    /**
     * A float32 matmul runs the packed GEMM with the epilogue on each block of C as soon as it is
     * final; a float32 convolution hands each tile of output rows (of the [N·OH·OW, Cout] matrix)
     * over likewise. Both overwrite {@code out}. Anything else takes the default path.
     */
    @Override
    public void contract(OpCall call, Tensor out, BlockEpilogue epilogue) {
        contract(call, out, epilogue, null);
    }

    /** As above; a constant filter's Winograd transform is kept in {@code constant} across calls. */
    @Override
    public void contract(OpCall call, Tensor out, BlockEpilogue epilogue, ConstantOperand constant) {
        if (call.dtype() == DType.FLOAT32 && call.op() == Op.MATMUL) {
            MatMul.matmul(call.input(0), call.input(1), out, epilogue);
        } else if (call.dtype() == DType.FLOAT32 && call.op() == Op.CONV2D) {
            ConstantOperand filter = constant != null && constant.input() == 1 ? constant : null;
            conv.forward(call.input(0), call.input(1), call.attrs(OpAttrs.Conv.class), out, epilogue, filter);
        } else {
            Backend.super.contract(call, out, epilogue);
        }
    }

    /**
     * A float32 product of one matrix runs the packed GEMM with a row of ones appended to A, whose row of C
     * is {@code sums}: the column sums cost one more row of the product and no pass over B of their own.
     */
    @Override
    public void contractWithColumnSums(OpCall call, Tensor out, ConstantOperand constant, Tensor sums) {
        if (call.dtype() == DType.FLOAT32 && call.op() == Op.MATMUL && out.rank() == 2 && call.input(1).rank() == 2
                && sums.dtype() == DType.FLOAT32 && sums.isContiguous() && sums.size() == out.dim(1)) {
            MatMul.matmulWithColumnSums(call.input(0), call.input(1), out, sums);
        } else {
            Backend.super.contractWithColumnSums(call, out, constant, sums);
        }
    }

    @Override
    public Storage allocate(DType dtype, int length, Device device) {
        return HeapStorage.allocate(dtype, length);
    }

    @Override
    public void execute(OpCall call, Tensor out) {
        if (onReference(call)) {
            Backends.reference().execute(call, out);
            return;
        }
        Tensor x = call.inputs().isEmpty() ? null : call.input(0);
        switch (call.op()) {
            case GATHER -> DataOps.gather(x, call.input(1), call.attrs(OpAttrs.Axis.class).axis(), out);
            case SCATTER_ADD -> DataOps.scatterAdd(x, call.input(1), call.input(2), call.attrs(OpAttrs.Axis.class).axis(), out);
            case CAST -> Elementwise.run(Op.CAST, out, x);
            case CONTIGUOUS -> Elementwise.copy(x, out);
            case PAD -> DataOps.pad(x, call.attrs(OpAttrs.Pad.class), out);
            case FOLD -> DataOps.fold(x, call.attrs(OpAttrs.Window.class), out);
            case MATMUL -> MatMul.matmul(x, call.input(1), out);
            case CONV2D -> conv.forward(x, call.input(1), call.attrs(OpAttrs.Conv.class), out);
            case CONV2D_BACKWARD_INPUT -> conv.backwardInput(x, call.input(1), call.attrs(OpAttrs.Conv.class), out);
            case CONV2D_BACKWARD_FILTER -> conv.backwardFilter(x, call.input(1), call.attrs(OpAttrs.Conv.class), out);
            case ATTENTION -> attention.forward(call, out);
            case ATTENTION_BACKWARD -> attentionBackward.backward(call, out);
            case RECURRENCE -> recurrence.forward(call, out);
            case RECURRENCE_BACKWARD -> recurrence.backward(call, out);
            default -> {
                switch (call.op().kind()) {
                    case UNARY, BINARY, TERNARY -> Elementwise.run(call.op(), out, call.inputs().toArray(Tensor[]::new));
                    case REDUCE -> Reductions.reduce(call.op(), x, call.attrs(OpAttrs.Reduce.class), out);
                    case RANDOM -> random(call.op() == Op.RANDOM_NORMAL, Elementwise.heap(x).getLong(x.offset()), Elementwise.heap(out).floats());
                    case MOVEMENT -> throw new IllegalArgumentException("cpu-vector: " + call.op().label()
                            + " is a view; the engine makes it by stride arithmetic (dev.javelin.tensor.spi.Views), not a backend");
                    default -> throw new IllegalArgumentException("cpu-vector: no kernel for " + call);
                }
            }
        }
    }

    /**
     * RANDOM_UNIFORM and RANDOM_NORMAL: element i is {@link CounterRng}'s value at index i of the stream keyed
     * by the seed, so every backend and thread count gives the same bits.
     */
    private static void random(boolean normal, long seed, float[] out) {
        CpuThreads.parallelFor(out.length, StridedLoop.CHUNK / 4, (from, to) -> {
            if (normal) for (int i = from; i < to; i++) out[i] = CounterRng.normal(seed, i); // a loop each: C2 compiles each body alone
            else for (int i = from; i < to; i++) out[i] = CounterRng.uniform(seed, i);
        });
    }

    /**
     * Attention's forward (each row's outputs and log-sum-exp), pad (filled first), gather and scatter-add (a copy of
     * the base first), the recurrence (every step's states and stored columns) and its backward (dx, dw, the bias's
     * column sum, the initial states' gradients) write their whole output; attention's gradient accumulates into it.
     * KernelHarness checks the claim on every call its tests make.
     */
    @Override
    public boolean writesEveryElement(OpCall call) {
        return !onReference(call) && switch (call.op()) {
            case ATTENTION, PAD, GATHER, SCATTER_ADD, RECURRENCE, RECURRENCE_BACKWARD -> true;
            default -> false;
        };
    }

    /**
     * The fast kernels are float32's: arithmetic, reductions and contractions over other dtypes (float64
     * for gradient checks, integers, bool), their data movement and indexing, and every cast but those between
     * bool and float32 (masks) run the reference backend's loops, which define those results. So do the orders (ARGMAX,
     * ARGMIN, ARGSORT): one definition each; no workload here orders more than an accuracy's [128, 10]
     * (perf/NOTES.md, rt9 and rt10), and no workload casts more than [128] labels between float32 and integers (rt11).
     */
    private static boolean onReference(OpCall call) {
        Op op = call.op();
        if (call.inputs().isEmpty() || op.kind() == Op.Kind.RANDOM || op.kind() == Op.Kind.MOVEMENT) return false;
        DType in = call.input(op.kind() == Op.Kind.TERNARY ? 1 : 0).dtype();
        if (op == Op.CAST) return !EnumSet.of(in, call.dtype()).equals(EnumSet.of(DType.BOOL, DType.FLOAT32));
        return op == Op.ARGMAX || op == Op.ARGMIN || op == Op.ARGSORT || in != DType.FLOAT32;
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
