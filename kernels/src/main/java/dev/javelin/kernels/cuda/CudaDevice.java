package dev.javelin.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.javelin.kernels.cuda.ptx.PtxModule;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.spi.Debug;
import dev.javelin.tensor.spi.HeapStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/**
 * One CUDA device through JCuda's driver API: its primary context, one stream that orders every
 * kernel and copy, the caching allocator, a module cache (kernel name to loaded function) and
 * pinned staging buffers for asynchronous copies. Only {@link CudaBackend} creates it, and only
 * after {@link CudaDriver#deviceCount()} succeeded, so JCuda's classes are never touched otherwise.
 */
final class CudaDevice implements GpuDevice {
    /** JAVELIN_DEBUG=1: one line per kernel with its time (the stream is synchronized around it). */
    private static final int DEBUG = Debug.level();
    private final Device device;
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final CachingAllocator allocator;
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private final int sm;
    private final String name;
    private final Staging upload = new Staging();
    private final Staging download = new Staging();
    private final CUevent uploadDone = new CUevent();

    /** Device address as a JCuda pointer object; the subclass reads the address the driver wrote. */
    private static final class AllocatedPtr extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    /** A pinned host buffer that grows as needed. */
    private static final class Staging {
        Pointer host;
        ByteBuffer buffer;
        long capacity;
    }

    CudaDevice(int index) {
        this.device = Device.cuda(index);
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, index);
        int[] major = {0};
        int[] minor = {0};
        cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        this.sm = major[0] * 10 + minor[0];
        byte[] nameBytes = new byte[256];
        cuDeviceGetName(nameBytes, nameBytes.length, dev);
        int len = 0;
        while (len < nameBytes.length && nameBytes[len] != 0) len++;
        this.name = new String(nameBytes, 0, len, StandardCharsets.US_ASCII);
        cuDevicePrimaryCtxRetain(context, dev);
        makeCurrent();
        cuStreamCreate(stream, 0);
        cuEventCreate(uploadDone, 0);
        cuEventRecord(uploadDone, stream);
        this.allocator = new CachingAllocator(device.toString(), new DeviceMemory() {
            @Override
            public long malloc(long bytes) {
                makeCurrent();
                AllocatedPtr p = new AllocatedPtr();
                try {
                    cuMemAlloc(p, bytes);
                } catch (CudaException e) {
                    if (String.valueOf(e.getMessage()).contains("OUT_OF_MEMORY")) throw new OutOfDeviceMemory(e.getMessage());
                    throw e;
                }
                return p.address();
            }

            @Override
            public void free(long address) {
                makeCurrent();
                cuMemFree(ptr(address));
            }
        });
    }

    private static CUdeviceptr ptr(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    /** The driver's context must be current on each calling thread. */
    void makeCurrent() {
        if (!current.get()) {
            cuCtxSetCurrent(context);
            current.set(true);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override public Device device() { return device; }
    @Override public CachingAllocator allocator() { return allocator; }
    @Override public int sm() { return sm; }

    @Override
    public void zero(long address, long bytes) {
        makeCurrent();
        if (bytes > 0) cuMemsetD8Async(ptr(address), (byte) 0, bytes, stream);
    }

    @Override
    public long scratch(long bytes) {
        return allocator.allocate(bytes);
    }

    @Override
    public void freeScratch(long address) {
        allocator.free(address);
    }

    @Override
    public void launch(Launch l) {
        makeCurrent();
        CUfunction f = functions.computeIfAbsent(l.name(), n -> load(n, l.entry()));
        NativePointerObject[] params = new NativePointerObject[l.args().size()];
        for (int i = 0; i < params.length; i++) {
            params[i] = switch (l.args().get(i)) {
                case Long v -> Pointer.to(new long[] {v});
                case Integer v -> Pointer.to(new int[] {v});
                case Float v -> Pointer.to(new float[] {v});
                case Double v -> Pointer.to(new double[] {v});
                default -> throw new IllegalArgumentException("Launch " + l.name() + ": unsupported argument " + l.args().get(i));
            };
        }
        if (DEBUG >= 1) cuStreamSynchronize(stream); // time this kernel alone
        long start = DEBUG >= 1 ? System.nanoTime() : 0;
        cuLaunchKernel(f, l.gridX(), l.gridY(), l.gridZ(), l.block(), 1, 1, l.sharedBytes(), stream, Pointer.to(params), null);
        if (DEBUG >= 1) {
            cuStreamSynchronize(stream);
            System.err.printf("[javelin] cuda %-34s grid %dx%dx%d block %d  %.1f us%n", l.name(), l.gridX(), l.gridY(), l.gridZ(),
                    l.block(), (System.nanoTime() - start) / 1e3);
        }
    }

    private CUfunction load(String entryName, String entry) {
        String ptx = new PtxModule(sm < PtxModule.SM_80 ? sm : PtxModule.SM_80).add(entry).text();
        byte[] bytes = Arrays.copyOf(ptx.getBytes(StandardCharsets.US_ASCII), ptx.length() + 1); // NUL-terminated image
        CUmodule module = new CUmodule();
        cuModuleLoadData(module, bytes);
        CUfunction f = new CUfunction();
        cuModuleGetFunction(f, module, entryName);
        return f;
    }

    @Override
    public int readInt(long address) {
        HeapStorage h = download(address, DType.INT32, 1);
        return h.ints()[0];
    }

    /** Copies host elements into pinned memory and enqueues the upload; returns before it completes. */
    @Override
    public synchronized void upload(HeapStorage host, long address) {
        makeCurrent();
        long bytes = (long) host.length() * host.dtype().byteSize();
        if (bytes == 0) return;
        cuEventSynchronize(uploadDone); // the staging buffer is free again once the previous upload ran
        ByteBuffer b = ensure(upload, bytes);
        switch (host.dtype()) {
            case FLOAT32 -> b.asFloatBuffer().put(host.floats());
            case FLOAT64 -> b.asDoubleBuffer().put(host.doubles());
            case INT32 -> b.asIntBuffer().put(host.ints());
            case INT64 -> b.asLongBuffer().put(host.longs());
            case BOOL -> {
                boolean[] a = host.bools();
                for (int i = 0; i < a.length; i++) b.put(i, (byte) (a[i] ? 1 : 0));
            }
        }
        cuMemcpyHtoDAsync(ptr(address), upload.host, bytes, stream);
        cuEventRecord(uploadDone, stream);
    }

    /** Copies {@code length} dense elements at {@code address} to the host after all enqueued work. */
    @Override
    public synchronized HeapStorage download(long address, DType dtype, int length) {
        makeCurrent();
        HeapStorage out = HeapStorage.allocate(dtype, length);
        long bytes = (long) length * dtype.byteSize();
        if (bytes == 0) return out;
        ByteBuffer b = ensure(download, bytes);
        cuMemcpyDtoHAsync(download.host, ptr(address), bytes, stream);
        cuStreamSynchronize(stream);
        switch (dtype) {
            case FLOAT32 -> b.asFloatBuffer().get(out.floats());
            case FLOAT64 -> b.asDoubleBuffer().get(out.doubles());
            case INT32 -> b.asIntBuffer().get(out.ints());
            case INT64 -> b.asLongBuffer().get(out.longs());
            case BOOL -> {
                boolean[] a = out.bools();
                for (int i = 0; i < a.length; i++) a[i] = b.get(i) != 0;
            }
        }
        return out;
    }

    private static ByteBuffer ensure(Staging s, long bytes) {
        if (s.capacity < bytes) {
            if (s.host != null) cuMemFreeHost(s.host);
            long cap = Math.max(bytes, Math.max(1 << 20, s.capacity * 2));
            s.host = new Pointer();
            cuMemHostAlloc(s.host, cap, 0);
            s.buffer = s.host.getByteBuffer(0, cap).order(ByteOrder.nativeOrder());
            s.capacity = cap;
        }
        ByteBuffer b = s.buffer.duplicate().order(ByteOrder.nativeOrder());
        b.clear();
        return b;
    }

    /** Waits for every enqueued kernel and copy. */
    @Override
    public void synchronize() {
        makeCurrent();
        cuStreamSynchronize(stream);
    }
}
