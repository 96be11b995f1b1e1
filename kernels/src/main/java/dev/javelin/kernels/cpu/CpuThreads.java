package dev.javelin.kernels.cpu;

import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread pool every CPU kernel shares, sized to the machine unless the user sets
 * {@code javelin.threads} (system property), {@code JAVELIN_THREADS} (environment) or calls
 * {@link #setThreads}. Work is split into a fixed number of chunks decided by the problem, not by
 * the pool size, so results never depend on the thread count.
 *
 * <pre>{@code
 * CpuThreads.parallelFor(rows, 64, (from, to) -> { for (int r = from; r < to; r++) work(r); });
 * }</pre>
 *
 * <p>The workers are plain daemon threads that, after a loop, spin for {@link #SPIN_NANOS} waiting
 * for the next one before they park. A model's inference is a few dozen loops of a millisecond or
 * less each, back to back: waking a parked thread for each (what a {@code ForkJoinPool} does) cost
 * tens of microseconds per loop, more on a busy host, and made whole-model times vary by a third
 * from run to run. Spinning that briefly costs nothing once the caller stops issuing loops.
 *
 * <p>Each thread first takes the chunks of its own contiguous share of the loop (the caller the
 * first), then helps with the others' shares. Consecutive loops over the same rows thus find most of
 * their input in the cache of the core that wrote it. That matters when the host places the two
 * cores far apart (a cache-line round trip of 300-1300 ns instead of 60-70): every line read after
 * the other core wrote it then stalls both, and the encoder ran 25-35% slower; shares took back about
 * a tenth of that (perf/NOTES.md, "The encoder's slow JVMs").
 */
public final class CpuThreads {
    /** Work below this many elements (or flops) stays on the calling thread. */
    public static final long SMALL_WORK = 1 << 15;
    /** How long an idle worker waits for the next loop before it parks (0.2 ms). */
    private static final long SPIN_NANOS = 200_000;

    private static volatile Pool pool = new Pool(initialThreads());

    private CpuThreads() {}

    /** A range of work items {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    public static int threads() {
        return pool.threads;
    }

    /** Resizes the pool; running kernels finish on the old one. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("CpuThreads.setThreads: expected >= 1, got " + n);
        if (n == pool.threads) return;
        Pool old = pool;
        pool = new Pool(n);
        old.shutdown();
    }

    /**
     * Runs {@code task} over {@code [0, count)} in chunks of at least {@code grain} items; on the calling
     * thread when there is one chunk or one thread. The chunking depends only on count and grain.
     * The calling thread works too: it and the pool's workers take chunks from one counter until
     * none are left, so a worker that starts late costs nothing but its share. Calls made from inside
     * a chunk, and calls made while another thread's loop holds the pool, run inline.
     */
    public static void parallelFor(int count, int grain, RangeTask task) {
        if (count <= 0) return;
        int g = Math.max(1, grain);
        int chunks = (count + g - 1) / g;
        Pool p = pool;
        if (chunks == 1 || p.threads == 1 || IN_LOOP.get() || ForkJoinTask.inForkJoinPool() || !p.busy.compareAndSet(false, true)) {
            task.run(0, count);
            return;
        }
        Chunks work = new Chunks(task, count, g, chunks, p.threads);
        IN_LOOP.set(true);
        try {
            p.publish(work);
            work.drain(0);
            work.awaitAll();
        } finally {
            p.current = null;
            p.busy.set(false);
            IN_LOOP.set(false);
        }
        work.rethrow();
    }

    /** True on a thread while it works through a loop's chunks (nested loops then run inline); always on workers. */
    private static final ThreadLocal<Boolean> IN_LOOP = ThreadLocal.withInitial(() -> false);

    /** The workers and the loop they are offered, one loop at a time. */
    private static final class Pool {
        final int threads;
        final AtomicBoolean busy = new AtomicBoolean();
        volatile Chunks current;
        volatile boolean stopped;
        private final Thread[] workers;

        Pool(int threads) {
            this.threads = threads;
            workers = new Thread[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                int id = i + 1;
                workers[i] = new Thread(() -> work(id), "javelin-cpu-" + id);
                workers[i].setDaemon(true);
                workers[i].start();
            }
        }

        /** Offers {@code work} to the workers (a spinning one sees it at once; a parked one gets its permit). */
        void publish(Chunks work) {
            current = work;
            for (Thread w : workers) LockSupport.unpark(w);
        }

        void shutdown() {
            stopped = true;
            for (Thread w : workers) LockSupport.unpark(w);
        }

        private void work(int id) {
            IN_LOOP.set(true);
            for (Chunks seen = null; !stopped; ) {
                long spinStart = System.nanoTime();
                Chunks work;
                while (((work = current) == null || work == seen) && !stopped) {
                    if (System.nanoTime() - spinStart < SPIN_NANOS) Thread.onSpinWait();
                    else LockSupport.park(this); // a permit left from a loop it already took returns at once, then it parks
                }
                seen = work;
                if (work != null) work.drain(id);
            }
        }
    }

    /**
     * One loop's chunks, cut into one contiguous share per thread; each share has its own cursor, on
     * its own cache line, so taking a chunk of one's own share writes no line another core reads.
     * The caller waits for the last chunk to finish.
     */
    private static final class Chunks {
        /** Ints per cache line: the cursors sit this far apart. */
        private static final int LINE = 16;
        private final RangeTask task;
        private final int count, grain, chunks, shares;
        /** At s·LINE: share s's next chunk. */
        private final AtomicIntegerArray cursors;
        private final AtomicInteger finished = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Chunks(RangeTask task, int count, int grain, int chunks, int threads) {
            this.task = task;
            this.count = count;
            this.grain = grain;
            this.chunks = chunks;
            this.shares = Math.min(threads, chunks);
            cursors = new AtomicIntegerArray(shares * LINE);
            for (int s = 0; s < shares; s++) cursors.set(s * LINE, shareStart(s));
        }

        private int shareStart(int share) {
            return (int) ((long) chunks * share / shares);
        }

        /** Runs the chunks of thread {@code self}'s share (0 is the caller), then those left in the others'. */
        void drain(int self) {
            int taken = 0;
            for (int i = 0; i < shares; i++) {
                int share = (self + i) % shares, end = shareStart(share + 1);
                for (int c; (c = cursors.getAndIncrement(share * LINE)) < end; taken++) {
                    try {
                        if (failure.get() == null) task.run(c * grain, Math.min(count, c * grain + grain));
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }
            }
            finished.getAndAdd(taken);
        }

        /** Waits until every chunk taken by a worker has finished. */
        void awaitAll() {
            for (int spins = 0; finished.get() < chunks; spins++) {
                if (spins < 1000) Thread.onSpinWait();
                else Thread.yield();
            }
        }

        /** Rethrows the first failure of any chunk. */
        void rethrow() {
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
}
