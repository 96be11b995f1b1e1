package dev.javelin.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.kernels.cuda.RecordingRunner.FakeHeap;
import dev.javelin.kernels.cuda.RecordingRunner.FakeMemory;
import dev.javelin.tensor.DType;
import org.junit.jupiter.api.Test;

class CachingAllocatorTest {
    @Test
    void roundsSmallRequestsTo512AndLargeTo2MiB() {
        assertEquals(512, CachingAllocator.roundSize(0));
        assertEquals(512, CachingAllocator.roundSize(1));
        assertEquals(1024, CachingAllocator.roundSize(513));
        assertEquals(1L << 20, CachingAllocator.roundSize(1L << 20));
        assertEquals(2L << 20, CachingAllocator.roundSize((1L << 20) + 1));
        assertEquals(4L << 20, CachingAllocator.roundSize((2L << 20) + 1));
    }

    @Test
    void freedBlocksAreReusedWithoutTheDriver() {
        FakeMemory mem = new FakeMemory();
        CachingAllocator a = new CachingAllocator("cuda:0", mem);
        long p = a.allocate(4000);
        a.free(p);
        long q = a.allocate(3900); // same 4096-byte class
        assertEquals(p, q);
        assertEquals(1, a.driverAllocations());
        assertEquals(1, a.reuses());
        long big = a.allocate(10_000); // too big for the cached class: a new block
        assertNotEquals(q, big);
        assertEquals(2, a.driverAllocations());
    }

    @Test
    void aCachedBlockServesRequestsOfAtLeastHalfItsSizeOnly() {
        CachingAllocator a = new CachingAllocator("cuda:0", new FakeMemory());
        long p = a.allocate(8192);
        a.free(p);
        assertNotEquals(p, a.allocate(1024)); // would waste 7/8 of the block
        assertEquals(p, a.allocate(5000));
    }

    @Test
    void tracksAllocatedCachedAndPeakAndReportsThem() {
        CachingAllocator a = new CachingAllocator("cuda:0", new FakeMemory());
        long p = a.allocate(1024);
        long q = a.allocate(2048);
        assertEquals(3072, a.allocatedBytes());
        a.free(p);
        assertEquals(2048, a.allocatedBytes());
        assertEquals(1024, a.cachedBytes());
        assertEquals(3072, a.peakBytes());
        a.free(q);
        String report = a.memoryReport();
        assertTrue(report.contains("allocated 0 B") && report.contains("peak 3.0 KiB") && report.contains("cached 3.0 KiB"), report);
        a.emptyCache();
        assertEquals(0, a.cachedBytes());
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
        FakeMemory mem = new FakeMemory();
        mem.limit = 7L << 20;
        CachingAllocator a = new CachingAllocator("cuda:0", mem);
        long p = a.allocate(6L << 20);
        a.free(p); // cached: the driver still counts it
        long q = a.allocate(2L << 20); // too small to reuse the 6 MiB block, too big to fit beside it: cache emptied, retried
        assertTrue(mem.freed.contains(p));
        assertEquals(0, a.cachedBytes());
        assertEquals(2L << 20, mem.inUse);
        assertTrue(q > 0);
        mem.limit = 0;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.allocate(1L << 30));
        assertTrue(e.getMessage().contains("out of memory on cuda:0"), e.getMessage());
    }

    @Test
    void freeingAnUnknownAddressIsAnError() {
        CachingAllocator a = new CachingAllocator("cuda:0", new FakeMemory());
        assertThrows(IllegalStateException.class, () -> a.free(12345));
    }

    @Test
    void storageCloseReturnsTheBlockAndLaterUseThrows() {
        FakeHeap heap = new FakeHeap();
        CudaStorage s = new CudaStorage(heap, DType.FLOAT32, 100, true);
        assertEquals(512, heap.allocator.allocatedBytes());
        s.close();
        s.close(); // idempotent
        assertEquals(0, heap.allocator.allocatedBytes());
        assertEquals(512, heap.allocator.cachedBytes());
        assertThrows(IllegalStateException.class, s::address);
    }

    @Test
    void zeroingIsDeferredUntilTheStorageIsReadBeforeBeingWritten() {
        FakeHeap heap = new FakeHeap();
        CudaStorage written = new CudaStorage(heap, DType.FLOAT32, 10, true);
        written.addressForOverwrite();
        written.address();
        assertEquals(0, heap.zeroed.size(), "a kernel overwrote it: no memset");
        CudaStorage read = new CudaStorage(heap, DType.FLOAT64, 10, true);
        read.address();
        read.address();
        assertEquals(1, heap.zeroed.size());
        assertEquals(80, heap.zeroed.get(0)[1]);
    }

    @Test
    void scopesCloseWhatWasAllocatedInsideExceptWhatIsKept() {
        FakeHeap heap = new FakeHeap();
        CudaStorage kept;
        CudaStorage temp;
        CudaStorage inner;
        try (CudaScope outer = CudaScope.open()) {
            try (CudaScope scope = CudaScope.open()) {
                temp = new CudaStorage(heap, DType.FLOAT32, 10, false);
                CudaScope.register(temp);
                kept = new CudaStorage(heap, DType.FLOAT32, 10, false);
                CudaScope.register(kept);
                scope.keep(dev.javelin.tensor.Tensor.wrap(kept, dev.javelin.tensor.Shape.of(10)));
                assertEquals(1, scope.size());
            }
            assertTrue(temp.isClosed());
            assertTrue(!kept.isClosed());
            assertEquals(1, outer.size(), "kept storage moved to the enclosing scope");
            inner = kept;
        }
        assertTrue(inner.isClosed());
    }
}
