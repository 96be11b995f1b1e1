package dev.javelin.kernels.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one thread pool every CPU kernel shares, sized to the machine unless the user sets
 * {@code javelin.threads} (system property), {@code JAVELIN_THREADS} (environment) or calls
 * {@link #setThreads}. Work is split into a fixed number of chunks decided by the problem, not by
 * the pool size, so results never depend on the thread count.
 *
 * <pre>{@code
 * CpuThreads.parallelFor(rows, 64, (from, to) -> { for (int r = from; r < to; r++) work(r); });
 * }</pre>
 */
public final class CpuThreads {
    /** Work below this many elements (or flops) stays on the calling thread. */
    public static final long SMALL_WORK = 1 << 15;

    private static volatile ForkJoinPool pool = newPool(initialThreads());

    private CpuThreads() {}

    /** A range of work items {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    public static int threads() {
        return pool.getParallelism();
    }

    /** Resizes the pool; running kernels finish on the old one. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("CpuThreads.setThreads: expected >= 1, got " + n);
        if (n == pool.getParallelism()) return;
        ForkJoinPool old = pool;
        pool = newPool(n);
        old.shutdown();
    }

    /**
     * Runs {@code task} over {@code [0, count)} in chunks of at least {@code grain} items; on the calling
     * thread when there is one chunk or one thread. The chunking depends only on count and grain.
     * The calling thread works too: it and up to threads - 1 pool workers take chunks from one
     * counter until none are left, so a worker that wakes late costs nothing but its share (the
     * caller used to wait in {@code ForkJoinPool.invoke} while two woken workers did the work; at 2
     * threads a skinny GEMM took twice as long whenever one of them was slow to start). Calls made
     * from inside a chunk run inline.
     */
    public static void parallelFor(int count, int grain, RangeTask task) {
        if (count <= 0) return;
        int g = Math.max(1, grain);
        int chunks = (count + g - 1) / g;
        ForkJoinPool p = pool;
        if (chunks == 1 || p.getParallelism() == 1 || ForkJoinTask.inForkJoinPool() || IN_LOOP.get()) {
            task.run(0, count);
            return;
        }
        Chunks work = new Chunks(task, count, g, chunks);
        int helpers = Math.min(chunks, p.getParallelism()) - 1;
        for (int h = 0; h < helpers; h++) p.execute(work::drain);
        IN_LOOP.set(true);
        try {
            work.drain();
        } finally {
            IN_LOOP.set(false);
        }
        work.awaitAll();
    }

    /** True on a caller thread while it works through a loop's chunks (nested loops then run inline). */
    private static final ThreadLocal<Boolean> IN_LOOP = ThreadLocal.withInitial(() -> false);

    /** One loop's chunks, taken in turn by the caller and the helpers; the caller waits for the last to finish. */
    private static final class Chunks {
        private final RangeTask task;
        private final int count, grain, chunks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Chunks(RangeTask task, int count, int grain, int chunks) {
            this.task = task;
            this.count = count;
            this.grain = grain;
            this.chunks = chunks;
        }

        void drain() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    if (failure.get() == null) task.run(c * grain, Math.min(count, c * grain + grain));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        /** Waits until every chunk taken by a helper has finished; rethrows the first failure. */
        void awaitAll() {
            for (int spins = 0; done.get() < chunks; spins++) {
                if (spins < 1000) Thread.onSpinWait();
                else Thread.yield();
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
        }
    }

    private static int initialThreads() {
        String v = System.getProperty("javelin.threads", System.getenv("JAVELIN_THREADS"));
        if (v != null && !v.isBlank()) {
            try {
                return Math.max(1, Integer.parseInt(v.trim()));
            } catch (NumberFormatException ignored) {
                // fall through to the machine's size
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int n) {
        return new ForkJoinPool(n, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setDaemon(true);
            t.setName("javelin-cpu-" + t.getPoolIndex());
            return t;
        }, null, false);
    }
}
