package dev.javelin.tensor.spi;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Free memory blocks binned by size: the cache that Javelin's caching allocators share, in the
 * manner of PyTorch's. The CUDA allocator ({@code kernels.cuda.CachingAllocator}) keeps device
 * addresses in it, with sizes rounded up to classes; {@link HostBuffers} keeps Java arrays, binned
 * by their exact length (an array's length is part of the array). A request takes the smallest
 * cached block that is at least its size and at most the largest size the caller accepts, so a
 * small request never pins a large block; a block freed last is handed out first (it is the one
 * most likely still in cache).
 *
 * <p>Not synchronized: its allocator holds the lock.
 *
 * <pre>{@code
 * BlockPool<Long> pool = new BlockPool<>();
 * pool.give(4096, address);
 * BlockPool.Taken<Long> t = pool.take(3000, 6000);   // the 4096-byte block, or null
 * }</pre>
 *
 * @param <B> a block: a device address, an array
 */
public final class BlockPool<B> {
    /** A block handed out, with the size it was cached under. */
    public record Taken<B>(long size, B block) {}

    private final TreeMap<Long, ArrayDeque<B>> bins = new TreeMap<>();
    private long bytes;
    private long blocks;

    /** The smallest cached block of size in {@code [size, largest]}, removed from the pool; null when none. */
    public Taken<B> take(long size, long largest) {
        Map.Entry<Long, ArrayDeque<B>> fit = bins.ceilingEntry(size);
        if (fit == null || fit.getKey() > largest) return null;
        long blockSize = fit.getKey();
        B block = fit.getValue().pop();
        if (fit.getValue().isEmpty()) bins.remove(blockSize);
        bytes -= blockSize;
        blocks--;
        return new Taken<>(blockSize, block);
    }

    /** Caches {@code block} of {@code size} for a later {@link #take}. */
    public void give(long size, B block) {
        bins.computeIfAbsent(size, k -> new ArrayDeque<>()).push(block);
        bytes += size;
        blocks++;
    }

    /** Removes every cached block, handing each to {@code release} (the driver's free, or nothing). */
    public void drain(Consumer<B> release) {
        for (ArrayDeque<B> bin : bins.values()) bin.forEach(release);
        bins.clear();
        bytes = 0;
        blocks = 0;
    }

    /** Total size of the cached blocks. */
    public long bytes() { return bytes; }

    /** Number of cached blocks. */
    public long blocks() { return blocks; }
}
