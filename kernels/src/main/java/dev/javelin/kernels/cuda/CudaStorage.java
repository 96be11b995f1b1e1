package dev.javelin.kernels.cuda;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.spi.Storage;
import java.lang.ref.Cleaner;

/**
 * A block of device memory holding {@code length} elements of one dtype. {@link #close()} gives the
 * block back to the device's {@link CachingAllocator} at once; a {@link CudaScope} closes
 * everything allocated inside it; a storage nobody closed is given back when the GC finds it
 * unreachable, as a backstop only.
 *
 * <p>Storage from {@code Backend.allocate} must read as zeros, but nearly every allocation is an op's
 * output that the kernel overwrites whole, so zeroing is deferred: it happens only if the storage
 * is read before a kernel wrote it ({@link #ensureInitialized}).
 *
 * <pre>{@code
 * try (CudaStorage s = (CudaStorage) backend.allocate(DType.FLOAT32, 1024, Device.cuda(0))) { ... }
 * }</pre>
 */
public final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final DeviceHeap heap;
    private final DType dtype;
    private final int length;
    private final long address;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;
    private volatile boolean zeroPending;

    /** Gives the block back; holds no reference to the storage, so the storage can become unreachable. */
    private record Release(CachingAllocator allocator, long address) implements Runnable {
        @Override
        public void run() {
            allocator.free(address);
        }
    }

    CudaStorage(DeviceHeap heap, DType dtype, int length, boolean zeroed) {
        if (length < 0) throw new IllegalArgumentException("cuda: negative storage length " + length);
        this.heap = heap;
        this.dtype = dtype;
        this.length = length;
        this.address = heap.allocator().allocate((long) length * dtype.byteSize());
        this.cleanable = CLEANER.register(this, new Release(heap.allocator(), address));
        this.zeroPending = zeroed;
    }

    @Override public Device device() { return heap.device(); }
    @Override public DType dtype() { return dtype; }
    @Override public int length() { return length; }

    /** Size in bytes of the elements (the block may be larger). */
    public long byteSize() {
        return (long) length * dtype.byteSize();
    }

    /** The device address of element 0, zeroing first if the storage was never written. */
    public long address() {
        ensureInitialized();
        return address;
    }

    /** The address for a kernel that writes every element: skips the deferred zeroing. */
    public long addressForOverwrite() {
        checkOpen();
        zeroPending = false;
        return address;
    }

    /** Zeroes the storage now if it was allocated zeroed and nothing has written it yet. */
    public void ensureInitialized() {
        checkOpen();
        if (zeroPending) {
            synchronized (this) {
                if (zeroPending) {
                    heap.zero(address, byteSize());
                    zeroPending = false;
                }
            }
        }
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("cuda: storage of " + length + " " + dtype + " on " + heap.device()
                    + " was used after its memory was released (Tensor.release, Variable.release, Model.release, "
                    + "CompiledFunction.release, a closed CudaScope or Storage.close)");
        }
    }

    /** Gives the device memory back to the allocator's cache now; later use throws. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        cleanable.clean();
    }

    @Override
    public String toString() {
        return "CudaStorage[" + dtype + " x " + length + " on " + heap.device() + (closed ? ", closed" : "") + "]";
    }
}
