package dev.javelin.tensor.spi;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.tensor.DType;
import org.junit.jupiter.api.Test;

/** The host's caching allocator and the size-binned pool it shares with the CUDA allocator. */
class HostBuffersTest {
    @Test
    void aGivenArrayIsTakenAgainForItsExactDtypeAndLengthOnly() {
        HostBuffers.emptyCache();
        float[] a = (float[]) HostBuffers.take(DType.FLOAT32, 1000);
        HostBuffers.give(a);
        assertEquals(4000, HostBuffers.cachedBytes());
        assertNotSame(a, HostBuffers.take(DType.FLOAT32, 999), "a shorter request gets a new array: lengths are exact");
        assertNotSame(a, HostBuffers.take(DType.INT32, 1000), "an int32 request never gets a float32 array");
        long reuses = HostBuffers.reuses();
        assertSame(a, HostBuffers.take(DType.FLOAT32, 1000));
        assertEquals(reuses + 1, HostBuffers.reuses());
        assertEquals(0, HostBuffers.cachedBytes());
        assertNotSame(a, HostBuffers.take(DType.FLOAT32, 1000), "taken once, gone from the cache");
    }

    @Test
    void aNewArrayIsZeroedAndEmptyRequestsAreNotCached() {
        HostBuffers.emptyCache();
        assertArrayEquals(new double[5], (double[]) HostBuffers.take(DType.FLOAT64, 5));
        HostBuffers.give(new boolean[0]);
        assertEquals(0, ((boolean[]) HostBuffers.take(DType.BOOL, 0)).length);
        assertEquals(0, HostBuffers.cachedBytes());
    }

    @Test
    void theCacheKeepsNoMoreThanItsCapacity() {
        HostBuffers.Cache cache = new HostBuffers.Cache(10_000);
        for (int i = 0; i < 3; i++) cache.give(new float[1000]); // 4,000 bytes each: the third does not fit
        assertEquals(8000, cache.cachedBytes());
        assertTrue(cache.report().contains("1 dropped"), cache.report());
        cache.empty();
        assertEquals(0, cache.cachedBytes());
        HostBuffers.Cache off = new HostBuffers.Cache(0);
        float[] a = new float[10];
        off.give(a);
        assertNotSame(a, off.take(DType.FLOAT32, 10), "capacity 0: nothing is cached");
    }

    @Test
    void thePoolHandsOutTheSmallestFittingBlockWithinTheCallersLimit() {
        BlockPool<String> pool = new BlockPool<>();
        pool.give(4096, "a");
        pool.give(1024, "b");
        pool.give(1024, "c");
        assertEquals(6144, pool.bytes());
        assertNull(pool.take(2000, 4000), "4096 is past the limit");
        BlockPool.Taken<String> t = pool.take(1000, 2000);
        assertEquals("c", t.block(), "the block freed last goes first");
        assertEquals(1024, t.size());
        assertEquals("a", pool.take(2000, 8192).block());
        StringBuilder drained = new StringBuilder();
        pool.drain(drained::append);
        assertEquals("b", drained.toString());
        assertEquals(0, pool.blocks());
        assertEquals(0, pool.bytes());
    }
}
