package dev.javelin.kernels.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

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
     */
    public static void parallelFor(int count, int grain, RangeTask task) {
        if (count <= 0) return;
        int g = Math.max(1, grain);
        int chunks = (count + g - 1) / g;
        ForkJoinPool p = pool;
        if (chunks == 1 || p.getParallelism() == 1 || ForkJoinTask.inForkJoinPool()) {
            task.run(0, count);
            return;
        }
        p.invoke(new Split(task, 0, chunks, g, count));
    }

    private static final class Split extends RecursiveAction {
        private final RangeTask task;
        private final int loChunk, hiChunk, grain, count;

        Split(RangeTask task, int loChunk, int hiChunk, int grain, int count) {
            this.task = task;
            this.loChunk = loChunk;
            this.hiChunk = hiChunk;
            this.grain = grain;
            this.count = count;
        }

        @Override
        protected void compute() {
            if (hiChunk - loChunk == 1) {
                int from = loChunk * grain;
                task.run(from, Math.min(count, from + grain));
                return;
            }
            int mid = (loChunk + hiChunk) >>> 1;
            invokeAll(new Split(task, loChunk, mid, grain, count), new Split(task, mid, hiChunk, grain, count));
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
