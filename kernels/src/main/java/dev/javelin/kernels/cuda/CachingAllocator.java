package dev.javelin.kernels.cuda;

import dev.javelin.tensor.spi.BlockPool;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A caching device allocator in the manner of PyTorch's: freed blocks go to a pool binned by size
 * and are handed out again instead of calling the driver, which is slow and synchronizes the
 * device. Requests round up to 512 bytes (up to 1 MiB) or to 2 MiB (above), so blocks of similar
 * sizes share bins; a cached block is reused for a request of at least half its size. When the
 * driver runs out of memory the cache is returned to it and the request retried once. The bins are
 * a {@link BlockPool}, the cache the host's {@link dev.javelin.tensor.spi.HostBuffers} uses too.
 *
 * <p>Reuse is safe without events because every kernel and copy of a device runs on one stream: a
 * block freed by one op and reused by the next is only touched in stream order.
 *
 * <pre>{@code
 * CachingAllocator a = new CachingAllocator("cuda:0", memory);
 * long p = a.allocate(4096);
 * a.free(p);                       // cached, not returned to the driver
 * System.out.println(a.memoryReport());
 * }</pre>
 */
public final class CachingAllocator {
    /** Largest request served from the small-block bins. */
    public static final long SMALL_LIMIT = 1L << 20;
    private static final long SMALL_ROUND = 512;
    private static final long LARGE_ROUND = 2L << 20;

    private final String deviceName;
    private final DeviceMemory memory;
    private final BlockPool<Long> pool = new BlockPool<>();
    private final Map<Long, Long> live = new HashMap<>();
    private long allocatedBytes;
    private long peakBytes;
    private long driverAllocations;
    private long reuses;

    public CachingAllocator(String deviceName, DeviceMemory memory) {
        this.deviceName = deviceName;
        this.memory = memory;
    }

    /** The size class a request of {@code bytes} is served from. */
    public static long roundSize(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("CachingAllocator: negative request " + bytes);
        long b = Math.max(bytes, 1);
        long unit = b <= SMALL_LIMIT ? SMALL_ROUND : LARGE_ROUND;
        return (b + unit - 1) / unit * unit;
    }

    /** A device address of at least {@code bytes} bytes, from the cache when a block fits. */
    public synchronized long allocate(long bytes) {
        long size = roundSize(bytes);
        // at most twice the request, and a small request never takes a large block
        BlockPool.Taken<Long> fit = pool.take(size, size <= SMALL_LIMIT ? Math.min(2 * size - 1, SMALL_LIMIT) : 2 * size - 1);
        long address;
        long blockSize;
        if (fit != null) {
            blockSize = fit.size();
            address = fit.block();
            reuses++;
        } else {
            blockSize = size;
            address = mallocWithRetry(size);
            driverAllocations++;
        }
        live.put(address, blockSize);
        allocatedBytes += blockSize;
        peakBytes = Math.max(peakBytes, allocatedBytes);
        return address;
    }

    private long mallocWithRetry(long size) {
        try {
            return memory.malloc(size);
        } catch (DeviceMemory.OutOfDeviceMemory first) {
            emptyCache();
            try {
                return memory.malloc(size);
            } catch (DeviceMemory.OutOfDeviceMemory second) {
                throw new IllegalStateException("cuda: out of memory on " + deviceName + " allocating " + human(size)
                        + " (" + second.getMessage() + "); " + reportLocked(), second);
            }
        }
    }

    /** Returns a block to the cache. */
    public synchronized void free(long address) {
        Long size = live.remove(address);
        if (size == null) throw new IllegalStateException("CachingAllocator: " + Long.toHexString(address) + " is not allocated on " + deviceName);
        allocatedBytes -= size;
        pool.give(size, address);
    }

    /** Gives every cached block back to the driver. */
    public synchronized void emptyCache() {
        pool.drain(memory::free);
    }

    /** Bytes in blocks handed out and not yet freed. */
    public synchronized long allocatedBytes() {
        return allocatedBytes;
    }

    /** Bytes in freed blocks kept for reuse. */
    public synchronized long cachedBytes() {
        return pool.bytes();
    }

    /** The most bytes ever handed out at once. */
    public synchronized long peakBytes() {
        return peakBytes;
    }

    /** How many requests went to the driver (the rest were served from the cache). */
    public synchronized long driverAllocations() {
        return driverAllocations;
    }

    public synchronized long reuses() {
        return reuses;
    }

    /** One line: allocated, peak, cached and how often the cache served a request. */
    public synchronized String memoryReport() {
        return reportLocked();
    }

    private String reportLocked() {
        return deviceName + " memory: allocated " + human(allocatedBytes) + " in " + live.size() + " blocks (peak " + human(peakBytes)
                + "), cached " + human(pool.bytes()) + " in " + pool.blocks() + " blocks, reserved " + human(allocatedBytes + pool.bytes())
                + "; " + driverAllocations + " driver allocations, " + reuses + " reuses";
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1 << 20) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        if (bytes < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
