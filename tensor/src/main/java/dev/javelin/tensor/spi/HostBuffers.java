package dev.javelin.tensor.spi;

import dev.javelin.tensor.DType;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The host's caching allocator: Java arrays whose last reader is done go back here and are handed
 * out again instead of a new array, which the JVM would zero (and, for a large array, place in a
 * region of its own and collect apart). Bins are a {@link BlockPool} per dtype, keyed by the exact
 * length, since code reads an array's length; the cache holds at most {@link #capacityBytes()}
 * ({@code -Djavelin.hostCache.mb}, default a sixteenth of the heap, at most 512 MiB) and drops what
 * does not fit. {@code -Djavelin.hostCache=false} turns it off (every take is a new array).
 *
 * <p>Only the sole owner of an array may {@link #give} it: nobody may read or write it afterwards.
 * Compiled programs do so for the memory of variable values they wrote, once the variable holds a
 * newer value and no reader is left ({@link BufferLease}). A taken array holds arbitrary values:
 * the taker overwrites all of it.
 *
 * <pre>{@code
 * float[] a = (float[]) HostBuffers.take(DType.FLOAT32, 1024);
 * ... // fill every element, use, let go of every reference
 * HostBuffers.give(a);
 * }</pre>
 */
public final class HostBuffers {
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("javelin.hostCache", "true"));
    private static final Cache SHARED = new Cache(ENABLED ? Long.getLong("javelin.hostCache.mb",
            Math.min(512, Runtime.getRuntime().maxMemory() / 16 / (1 << 20))) << 20 : 0);

    private HostBuffers() {}

    /** An array of {@code dtype} of exactly {@code length} elements: a cached one (arbitrary contents) or a new one. */
    public static Object take(DType dtype, int length) {
        return SHARED.take(dtype, length);
    }

    /** Caches {@code array} (of one of {@link HeapStorage}'s element types) for reuse; the caller gives up every reference to it. */
    public static void give(Object array) {
        SHARED.give(array);
    }

    /** Drops every cached array (the GC reclaims them). */
    public static void emptyCache() {
        SHARED.empty();
    }

    /** Bytes held in cached arrays. */
    public static long cachedBytes() {
        return SHARED.cachedBytes();
    }

    /** How many takes a cached array served. */
    public static long reuses() {
        return SHARED.reuses();
    }

    /** The most bytes the cache holds (0: off). */
    public static long capacityBytes() {
        return SHARED.capacity;
    }

    /** One line: cached bytes, reuses, new arrays, arrays dropped for lack of room. */
    public static String report() {
        return SHARED.report();
    }

    /** The cache itself, of a given capacity: {@link HostBuffers} holds the shared one. */
    static final class Cache {
        private final long capacity;
        private final Map<DType, BlockPool<Object>> pools = new EnumMap<>(DType.class);
        private long cachedBytes;
        private long reuses;
        private long misses;
        private long dropped;

        Cache(long capacity) {
            this.capacity = capacity;
            for (DType d : DType.values()) pools.put(d, new BlockPool<>());
        }

        Object take(DType dtype, int length) {
            if (capacity > 0 && length > 0) {
                synchronized (this) {
                    BlockPool.Taken<Object> t = pools.get(dtype).take(length, length);
                    if (t != null) {
                        cachedBytes -= bytes(dtype, length);
                        reuses++;
                        return t.block();
                    }
                    misses++;
                }
            }
            return HeapStorage.allocate(dtype, length).array();
        }

        void give(Object array) {
            DType dtype = HeapStorage.wrap(array).dtype();
            int length = java.lang.reflect.Array.getLength(array);
            if (capacity == 0 || length == 0) return;
            long size = bytes(dtype, length);
            synchronized (this) {
                if (cachedBytes + size > capacity) {
                    dropped++;
                    return; // the GC takes it
                }
                pools.get(dtype).give(length, array);
                cachedBytes += size;
            }
        }

        synchronized void empty() {
            for (BlockPool<Object> p : pools.values()) p.drain(a -> { });
            cachedBytes = 0;
        }

        synchronized long cachedBytes() { return cachedBytes; }

        synchronized long reuses() { return reuses; }

        synchronized String report() {
            return String.format(Locale.ROOT, "host cache: %.1f MiB cached (capacity %.0f MiB), %d reuses, %d new arrays, %d dropped",
                    cachedBytes / 1048576.0, capacity / 1048576.0, reuses, misses, dropped);
        }

        private static long bytes(DType dtype, int length) {
            return (long) length * dtype.byteSize();
        }
    }
}
