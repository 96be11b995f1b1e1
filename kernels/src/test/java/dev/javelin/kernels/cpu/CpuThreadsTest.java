package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every item of a parallel loop runs exactly once, in the chunks the grain decides, whatever the pool size; failures reach the caller. */
class CpuThreadsTest {
    private final int threadsBefore = CpuThreads.threads();

    @AfterEach
    void restoreThreads() {
        CpuThreads.setThreads(threadsBefore);
    }

    @Test
    void everyItemRunsOnceInGrainAlignedChunksAtAnyThreadCount() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            CpuThreads.setThreads(threads);
            for (int count : new int[] {0, 1, 2, 3, 7, 64, 1000, 4099}) {
                for (int grain : new int[] {1, 3, 64, 5000}) {
                    AtomicIntegerArray visits = new AtomicIntegerArray(Math.max(1, count));
                    int g = grain, n = count;
                    CpuThreads.parallelFor(count, grain, (from, to) -> {
                        boolean aligned = from % g == 0 && (to == n || to - from == g);
                        for (int i = from; i < to; i++) visits.addAndGet(i, aligned ? 1 : 1000);
                    });
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, visits.get(i), "threads=" + threads + " count=" + count + " grain=" + grain + " item " + i);
                    }
                }
            }
        }
    }

    @Test
    void nestedLoopsRunInlineAndCoverTheirRange() {
        CpuThreads.setThreads(2);
        AtomicIntegerArray visits = new AtomicIntegerArray(40 * 30);
        CpuThreads.parallelFor(40, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = i;
                CpuThreads.parallelFor(30, 2, (f, t) -> {
                    for (int j = f; j < t; j++) visits.incrementAndGet(row * 30 + j);
                });
            }
        });
        for (int i = 0; i < visits.length(); i++) assertEquals(1, visits.get(i), "item " + i);
    }

    @Test
    void aChunkFailureReachesTheCallerAndThePoolStaysUsable() {
        CpuThreads.setThreads(3);
        IllegalStateException boom = new IllegalStateException("chunk 17 failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> CpuThreads.parallelFor(100, 1, (from, to) -> {
            if (from <= 17 && 17 < to) throw boom;
        }));
        assertSame(boom, thrown);
        AtomicIntegerArray visits = new AtomicIntegerArray(100);
        CpuThreads.parallelFor(100, 1, (from, to) -> {
            for (int i = from; i < to; i++) visits.incrementAndGet(i);
        });
        for (int i = 0; i < 100; i++) assertEquals(1, visits.get(i), "item " + i);
    }

    @Test
    void aParkedWorkerWakesForTheNextLoop() throws InterruptedException {
        CpuThreads.setThreads(2);
        for (int round = 0; round < 3; round++) {
            Thread.sleep(5); // longer than the workers' spin: they park (round 0: they may still be starting)
            AtomicBoolean workerRan = new AtomicBoolean();
            // two chunks, one per share: the caller's waits in its chunk until the worker has run the other
            CpuThreads.parallelFor(2, 1, (from, to) -> {
                if (Thread.currentThread().getName().startsWith("javelin-cpu-")) {
                    workerRan.set(true);
                    return;
                }
                for (long end = System.nanoTime() + 10_000_000_000L; !workerRan.get() && System.nanoTime() < end; ) Thread.onSpinWait();
            });
            assertTrue(workerRan.get(), "round " + round + ": the parked worker took no chunk within 10 s");
        }
    }
}
