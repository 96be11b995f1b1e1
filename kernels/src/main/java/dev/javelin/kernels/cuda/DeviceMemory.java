package dev.javelin.kernels.cuda;

/**
 * Raw device memory as the driver hands it out: what {@link CachingAllocator} caches. The JCuda
 * implementation calls {@code cuMemAlloc/cuMemFree}; tests use a fake, so the allocator's policy is
 * checked without a GPU.
 *
 * <pre>{@code
 * long p = memory.malloc(1 << 20);
 * memory.free(p);
 * }</pre>
 */
public interface DeviceMemory {
    /** Thrown by {@link #malloc} when the device has no room; the allocator then empties its cache and retries. */
    final class OutOfDeviceMemory extends RuntimeException {
        public OutOfDeviceMemory(String message) {
            super(message);
        }
    }

    /** A device address of at least {@code bytes} bytes, aligned to 256. */
    long malloc(long bytes);

    void free(long address);
}
