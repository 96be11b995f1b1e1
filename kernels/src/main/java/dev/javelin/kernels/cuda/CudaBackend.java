package dev.javelin.kernels.cuda;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backend;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.HeapStorage;
import dev.javelin.tensor.spi.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CUDA backend: every primitive as PTX that Javelin writes ({@link CudaKernels}), loaded with
 * the driver API through JCuda; no NVRTC, no cuBLAS, nothing beyond the NVIDIA driver.
 *
 * <p>JCuda is optional. This class refers to no JCuda type: {@link #isAvailable()} first looks the
 * driver class up by name, then initializes the driver in {@code CudaDriver}, catching every
 * {@link Throwable} (a missing class, missing natives, no driver, no device), and only then is
 * {@code CudaDevice}, the one class that links JCuda, ever created. Without a GPU the backend says
 * it is unavailable and everything runs on the CPU.
 *
 * <pre>{@code
 * if (CudaBackend.probe()) {
 *     Tensor g = x.to(Device.cuda(0));
 *     Tensor y = g.matmul(w.to(Device.cuda(0))).relu().to(Device.CPU);
 *     System.out.println(CudaBackend.memoryReport(Device.cuda(0)));
 * }
 * }</pre>
 *
 * <p>Ops without a PTX kernel (float64 transcendentals and convolutions, bool scatter-add, integer
 * FOLD) copy their inputs to the host, run on the reference backend and copy the result back.
 * Set {@code -Djavelin.cuda=false} to skip probing altogether, or {@code -Djavelin.cuda.emulate=true}
 * to run the backend's PTX in an interpreter on the CPU ({@link #isEmulated()}).
 */
public final class CudaBackend implements Backend {
    /** The JCuda class whose presence the probe checks before touching anything else. */
    public static final String JCUDA_DRIVER_CLASS = "jcuda.driver.JCudaDriver";

    private static final Object PROBE_LOCK = new Object();
    private static volatile Boolean available;
    private static volatile String unavailableReason = "not probed yet";
    private static volatile int deviceCount;
    private static volatile MatmulPrecision precision = MatmulPrecision.FP32;
    private static final Map<Integer, GpuDevice> DEVICES = new ConcurrentHashMap<>();
    private static final Map<dev.javelin.tensor.Op, java.util.concurrent.atomic.LongAdder> HOST_RUNS = new ConcurrentHashMap<>();

    /** For {@link java.util.ServiceLoader}; cheap, touches no native code. */
    public CudaBackend() {}

    @Override public String name() { return "cuda"; }
    @Override public Device.Type deviceType() { return Device.Type.CUDA; }
    @Override public int priority() { return 10; }
    /** Compiled programs on this device launch their fused kernels as PTX through this backend ({@code runtime.CudaSteps}). */
    @Override public boolean runsGeneratedKernels() { return true; }

    @Override
    public boolean isAvailable() {
        return probe();
    }

    /** True when JCuda, its natives, a driver and at least one device are present; never throws. */
    public static boolean probe() {
        Boolean a = available;
        if (a != null && (a || !isEmulated())) return a; // emulation switched on after a failed probe: probe again
        synchronized (PROBE_LOCK) {
            if (available != null && (available || !isEmulated())) return available;
            boolean ok = false;
            try {
                if (isEmulated()) {
                    deviceCount = 1;
                    ok = true;
                    unavailableReason = "";
                } else if (Boolean.parseBoolean(System.getProperty("javelin.cuda", "true"))) {
                    Class.forName(JCUDA_DRIVER_CLASS, false, CudaBackend.class.getClassLoader());
                    int n = CudaDriver.deviceCount();
                    deviceCount = n;
                    ok = n > 0;
                    unavailableReason = ok ? "" : "the CUDA driver reports no device";
                } else {
                    unavailableReason = "disabled by -Djavelin.cuda=false";
                }
            } catch (Throwable t) { // ClassNotFoundException, LinkageError, UnsatisfiedLinkError, CudaException
                String msg = String.valueOf(t.getMessage());
                int nl = msg.indexOf('\n');
                unavailableReason = t.getClass().getSimpleName() + ": " + (nl < 0 ? msg : msg.substring(0, nl)); // JCuda's are pages long
            }
            available = ok;
            return ok;
        }
    }

    /**
     * True when {@code -Djavelin.cuda.emulate=true} replaced the GPU with {@link EmulatedDevice}: the
     * backend's PTX runs in an interpreter on the CPU (slow; for tests and debugging, no mma).
     */
    public static boolean isEmulated() {
        return Boolean.getBoolean("javelin.cuda.emulate");
    }

    /** Why {@link #probe()} said no (empty when available). */
    public static String unavailableReason() {
        probe();
        return unavailableReason;
    }

    /** Number of CUDA devices (0 when unavailable). */
    public static int deviceCount() {
        return probe() ? deviceCount : 0;
    }

    /** The precision of float32 matmul and convolution on the GPU; {@link MatmulPrecision#FP32} by default. */
    public static void setMatmulPrecision(MatmulPrecision p) {
        precision = java.util.Objects.requireNonNull(p, "precision");
    }

    public static MatmulPrecision matmulPrecision() {
        return precision;
    }

    private static GpuDevice device(Device d) {
        if (d.type() != Device.Type.CUDA) throw new IllegalArgumentException("cuda: " + d + " is not a CUDA device");
        if (!probe()) throw new IllegalStateException("cuda: no usable CUDA device (" + unavailableReason + ")");
        if (d.index() >= deviceCount) {
            throw new IllegalArgumentException("cuda: " + d + " does not exist; this machine has " + deviceCount + " CUDA device(s)");
        }
        return DEVICES.computeIfAbsent(d.index(), i -> isEmulated() ? new EmulatedDevice(i) : new CudaDevice(i));
    }

    /** Allocated, peak and cached bytes of {@code d}'s caching allocator, on one line. */
    public static String memoryReport(Device d) {
        return device(d).allocator().memoryReport();
    }

    /**
     * Returns {@code d}'s cached blocks to the driver (PyTorch's {@code torch.cuda.empty_cache()}):
     * afterwards {@link #memoryReserved} equals {@link #memoryAllocated}. Blocks in use stay.
     */
    public static void emptyCache(Device d) {
        device(d).allocator().emptyCache();
    }

    /**
     * Bytes of {@code d}'s memory in blocks handed out and not yet released (PyTorch's
     * {@code torch.cuda.memory_allocated()}): what the live tensors, weights and programs hold.
     *
     * <pre>{@code
     * long before = CudaBackend.memoryAllocated(gpu);
     * Tensor x = t.to(gpu);
     * x.release();                       // memoryAllocated(gpu) == before again
     * }</pre>
     */
    public static long memoryAllocated(Device d) {
        return device(d).allocator().allocatedBytes();
    }

    /** Bytes {@code d}'s allocator holds from the driver: allocated plus cached for reuse (PyTorch's {@code memory_reserved}). */
    public static long memoryReserved(Device d) {
        CachingAllocator a = device(d).allocator();
        return a.allocatedBytes() + a.cachedBytes();
    }

    /** Waits until every kernel and copy enqueued on {@code d} has finished (for timing). */
    public static void synchronize(Device d) {
        device(d).synchronize();
    }

    /** The GPU's name as the driver reports it. */
    public static String deviceName(Device d) {
        return device(d).name();
    }

    /**
     * Computes an elementwise kernel ({@link dev.javelin.kernels.ir.KernelIR}, slot k reading
     * {@code inputs.get(k)}) over CUDA tensors of one shape (broadcast operands as EXPAND views) in
     * one launch: for benchmarks and tests of fused bodies.
     *
     * <pre>{@code
     * Tensor y = CudaBackend.fusedElementwise(ir, List.of(x, w, b));   // e.g. relu(x * w + b) in one pass over memory
     * }</pre>
     */
    public static Tensor fusedElementwise(dev.javelin.kernels.ir.KernelIR ir, List<Tensor> inputs) {
        if (inputs.isEmpty()) throw new IllegalArgumentException("cuda: fusedElementwise needs at least one input to take a shape from");
        Tensor first = inputs.get(0);
        if (ir.loads().size() != inputs.size() || ir.mode() != dev.javelin.kernels.ir.KernelIR.Mode.ELEMENTWISE) {
            throw new IllegalArgumentException("cuda: fusedElementwise of " + ir.name() + " (" + ir.mode() + ", " + ir.loads().size()
                    + " slots) over " + inputs.size() + " inputs; expected an elementwise kernel with one slot per input");
        }
        for (Tensor t : inputs) {
            if (!t.shape().equals(first.shape()) || !t.device().equals(first.device())) {
                throw new IllegalArgumentException("cuda: fusedElementwise inputs must share shape and device: " + first.dtype() + first.shape()
                        + " on " + first.device() + " vs " + t.dtype() + t.shape() + " on " + t.device());
            }
        }
        GpuDevice d = device(first.device());
        CudaStorage s = new CudaStorage(d, ir.outDtype(), first.shape().sizeAsInt(), false);
        CudaScope.register(s);
        Tensor out = Tensor.wrap(s, first.shape());
        ScratchRunner runner = new ScratchRunner(d);
        try {
            CudaKernels.elementwise(runner, ir, inputs, s.addressForOverwrite(), out);
        } finally {
            runner.release();
        }
        return out;
    }

    /**
     * Runs the float32 matmul of one matrix or forward convolution {@code contraction} with
     * {@code epilogue} applied in its GEMM's store (the JIT's contraction with its epilogue kernel,
     * one pass over the result). The product itself goes to the dense {@code out}, or nowhere when
     * {@code out} is null (nothing but the epilogue reads it: the GEMM writes the epilogue's result
     * alone). Returns false, having run nothing, where the contraction cannot take it (a batch of
     * matrices, a grouped convolution, TF32 precision): the caller then runs the contraction and the
     * kernel one after the other.
     */
    public static boolean contractWithEpilogue(OpCall contraction, Tensor out, GemmEpilogue epilogue) {
        boolean matmul = contraction.op() == dev.javelin.tensor.Op.MATMUL && contraction.shape().rank() == 2;
        boolean conv = contraction.op() == dev.javelin.tensor.Op.CONV2D;
        if (contraction.dtype() != DType.FLOAT32 || !(matmul || conv) || (out != null && !out.isContiguous())) return false;
        if (out != null && !out.shape().equals(contraction.shape())) {
            throw new IllegalArgumentException("cuda: " + contraction.op().label() + " of shape " + contraction.shape() + " into an output of shape "
                    + out.shape());
        }
        if (matmul ? !CudaMatmul.takes(epilogue, 1) : !CudaConv.takes(contraction, epilogue)) return false;
        GpuDevice d = device(contraction.device());
        ScratchRunner runner = new ScratchRunner(d);
        try {
            if (matmul) CudaMatmul.matmul(runner, contraction.input(0), contraction.input(1), contraction.shape(), out, epilogue);
            else CudaConv.forward(runner, contraction, out, epilogue);
        } finally {
            runner.release();
        }
        return true;
    }

    /**
     * How many times {@code op} on a CUDA tensor ran on the host (inputs copied down, the reference
     * backend, the result copied up) in this process: how a test shows an op stayed on the device.
     *
     * <pre>{@code
     * long before = CudaBackend.hostRuns(Op.RECURRENCE);   // ... train ...; then compare
     * }</pre>
     */
    public static long hostRuns(dev.javelin.tensor.Op op) {
        var n = HOST_RUNS.get(op);
        return n == null ? 0 : n.sum();
    }

    /**
     * On the emulated device, the bytes kernels have written to global memory on {@code d} so far
     * (every {@code st.global}; uploads and zeroing not counted): how a test shows what a change
     * stores. -1 on a real GPU, which counts nothing.
     *
     * <pre>{@code
     * long before = CudaBackend.storedBytes(gpu);   // ... run ...; then compare
     * }</pre>
     */
    public static long storedBytes(Device d) {
        return device(d) instanceof EmulatedDevice e ? e.storedBytes() : -1;
    }

    /** Enqueues a kernel planned elsewhere (the JIT's PTX renderer) on {@code d}'s stream. */
    public static void launch(Device d, Launch launch) {
        device(d).launch(launch);
    }

    /** The device address of {@code t}'s first element (its storage plus its offset), for kernel arguments. */
    public static long devicePointer(Tensor t) {
        return CudaKernels.address(t, false) + (long) t.offset() * t.dtype().byteSize();
    }

    /**
     * The device address of the first element of {@code t}, a buffer the caller is about to overwrite
     * whole (a kernel's output): its deferred zeroing is skipped.
     */
    public static long outputPointer(Tensor t) {
        return CudaKernels.address(t, true) + (long) t.offset() * t.dtype().byteSize();
    }

    @Override
    public Storage allocate(DType dtype, int length, Device d) {
        CudaStorage s = new CudaStorage(device(d), dtype, length, true);
        CudaScope.register(s);
        return s;
    }

    @Override
    public void execute(OpCall call, Tensor out) {
        GpuDevice d = device(call.device());
        if (!CudaKernels.supports(call)) {
            onHost(d, call, out);
            return;
        }
        ScratchRunner runner = new ScratchRunner(d);
        try {
            CudaKernels.execute(runner, call, out);
        } finally {
            runner.release();
        }
    }

    /**
     * Runs {@code call} on the reference backend (complete by definition, and these ops are the rare
     * ones) with host copies of the inputs, and uploads the result.
     */
    private void onHost(GpuDevice d, OpCall call, Tensor out) {
        HOST_RUNS.computeIfAbsent(call.op(), k -> new java.util.concurrent.atomic.LongAdder()).increment();
        List<Tensor> inputs = new ArrayList<>();
        for (Tensor t : call.inputs()) inputs.add(Tensor.wrap(toHost(t), t.shape()));
        Backend cpu = Backends.reference();
        Tensor hostOut = Tensor.wrap(cpu.allocate(call.dtype(), call.shape().sizeAsInt(), Device.CPU), call.shape());
        cpu.execute(new OpCall(call.op(), inputs, call.attrs(), call.shape(), call.dtype(), Device.CPU), hostOut);
        d.upload(hostOut.toHost(), CudaKernels.address(out, true));
    }

    @Override
    public HeapStorage toHost(Tensor t) {
        GpuDevice d = device(t.device());
        int n = t.shape().sizeAsInt();
        if (t.isContiguous()) {
            return d.download(CudaKernels.address(t, false) + (long) t.offset() * t.dtype().byteSize(), t.dtype(), n);
        }
        ScratchRunner runner = new ScratchRunner(d);
        try {
            return d.download(CudaKernels.denseCopy(runner, t), t.dtype(), n);
        } finally {
            runner.release();
        }
    }

    @Override
    public Storage fromHost(HeapStorage host, Device target) {
        GpuDevice d = device(target);
        CudaStorage s = new CudaStorage(d, host.dtype(), host.length(), false);
        d.upload(host, s.addressForOverwrite());
        CudaScope.register(s);
        return s;
    }

    /** A runner over a device that frees the op's scratch blocks when the op has been enqueued. */
    private static final class ScratchRunner implements KernelRunner {
        private final GpuDevice device;
        private final List<Long> scratch = new ArrayList<>();

        ScratchRunner(GpuDevice device) {
            this.device = device;
        }

        @Override public int sm() { return device.sm(); }
        @Override public void launch(Launch launch) { device.launch(launch); }
        @Override public int readInt(long address) { return device.readInt(address); }

        @Override
        public long scratch(long bytes) {
            long a = device.scratch(bytes);
            scratch.add(a);
            return a;
        }

        void release() {
            for (long a : scratch) device.freeScratch(a);
        }
    }
}
