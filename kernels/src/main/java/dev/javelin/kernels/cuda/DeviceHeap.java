package dev.javelin.kernels.cuda;

import dev.javelin.tensor.Device;

/**
 * What a {@link CudaStorage} needs from its device: the allocator its block came from and a way to
 * zero bytes in stream order. {@code CudaDevice} implements it with the driver; tests with a fake.
 *
 * <pre>{@code
 * long p = heap.allocator().allocate(4096);
 * heap.zero(p, 4096);
 * }</pre>
 */
public interface DeviceHeap {
    Device device();

    CachingAllocator allocator();

    /** Sets {@code bytes} bytes at {@code address} to zero, ordered after earlier work on the device. */
    void zero(long address, long bytes);
}
