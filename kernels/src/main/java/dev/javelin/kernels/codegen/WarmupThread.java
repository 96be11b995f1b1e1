package dev.javelin.kernels.codegen;

import dev.javelin.tensor.spi.Debug;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The one background daemon thread that, when enabled ({@code -Djavelin.warmup=true}), warms Vector
 * API code up (generated kernels through {@link KernelWarmup}, the GEMM's micro-kernels) on scratch data, so that HotSpot compiles it
 * while callers run plain Java tiers with the same bits. Each task ({@link #calls}) calls its code
 * on small data until HotSpot's thresholds for a C2 compilation are passed ({@value #CALLS} calls:
 * a few milliseconds once C1 has compiled it), then only probes it now and then until a call is as
 * fast as compiled code, so the thread does not spin while C2 works. Tasks run in the order queued,
 * the next one starting its calls while the ones before wait on C2. A JVM exits without waiting.
 *
 * <pre>{@code
 * WarmupThread.submit(WarmupThread.calls("E_add", () -> kernel.run(scratch...), 2_000, deadline, () -> warm = true));
 * }</pre>
 */
public final class WarmupThread {
    /** Calls past HotSpot's thresholds for a C2 compilation of a method (Tier4InvocationThreshold is 5000). */
    public static final int CALLS = 6000;
    private static final int BATCH = 50, PROBE = 4;
    private static final long PROBE_EVERY_NANOS = 5_000_000;

    /** What a turn of a task did. */
    public enum Turn { WORKED, WAITING, DONE }

    /** One warm-up, a turn at a time. */
    @FunctionalInterface
    public interface Task {
        Turn step();
    }

    /**
     * A task that calls {@code code} {@value #CALLS} times, then probes it every few milliseconds
     * until a call takes at most {@code fastNanos} (C2's code: C1's boxes every vector and takes five
     * to fifty times as long), or {@code deadlineNanos} (a {@code nanoTime}) passes; then it runs
     * {@code whenWarm}.
     * {@code JAVELIN_DEBUG=1} prints when and why each ends.
     */
    public static Task calls(String name, Runnable code, long fastNanos, long deadlineNanos, Runnable whenWarm) {
        long[] state = {0, 0, System.nanoTime(), 0}; // calls made, last probe, start, a call's time before probing
        return () -> {
            long now = System.nanoTime();
            boolean probing = state[0] >= CALLS;
            if (probing && now - state[1] < PROBE_EVERY_NANOS) return Turn.WAITING;
            int n = probing ? PROBE : BATCH;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) code.run();
            long end = System.nanoTime(), perCall = (end - start) / n;
            state[0] += n;
            state[1] = end;
            if (!probing) state[3] = perCall;
            boolean fast = probing && perCall <= fastNanos;
            if (fast || end > deadlineNanos) {
                whenWarm.run();
                if (Debug.level() >= 1) {
                    System.err.printf("[javelin] warm-up of %s %s after %.0f ms, %d calls (%d ns a call, %d before)%n", name,
                            fast ? "done" : "given up (time limit)", (end - state[2]) / 1e6, state[0], perCall, state[3]);
                }
                return Turn.DONE;
            }
            return Turn.WORKED;
        };
    }

    private static final ConcurrentLinkedQueue<Task> QUEUE = new ConcurrentLinkedQueue<>();
    private static final AtomicBoolean RUNNING = new AtomicBoolean();

    private WarmupThread() {}

    /**
     * Off unless {@code -Djavelin.warmup=true}: on the 2-core host it was measured on, the thread
     * competed with the program's own calls and HotSpot's compilers, and the first dozen calls of a
     * train step took longer in all (perf/NOTES.md, cold start); with idle cores it may pay.
     */
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("javelin.warmup", "false"));

    /** Queues {@code task}; it must finish by itself (a time limit) and leave every result unchanged. */
    public static void submit(Task task) {
        if (!ENABLED) return;
        QUEUE.add(task);
        if (RUNNING.compareAndSet(false, true)) {
            Thread t = new Thread(WarmupThread::pump, "javelin-warmup");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        }
    }

    private static void pump() {
        List<Task> active = new ArrayList<>();
        while (true) {
            for (Task t; (t = QUEUE.poll()) != null; ) active.add(t);
            if (active.isEmpty()) {
                RUNNING.set(false);
                if (QUEUE.isEmpty() || !RUNNING.compareAndSet(false, true)) return; // a later submit starts a new thread
                continue;
            }
            // In the order queued: the first task that still needs calls gets this turn; the ones
            // before it only probe, waiting on C2. So the GEMM (queued when a program is traced)
            // comes first, then kernels in the order a program first calls them twice.
            boolean worked = false;
            for (var it = active.iterator(); it.hasNext() && !worked; ) {
                Turn turn = turn(it.next());
                if (turn == Turn.DONE) it.remove();
                worked = turn == Turn.WORKED;
            }
            if (!worked) LockSupport.parkNanos(PROBE_EVERY_NANOS / 5); // every task waits on C2
        }
    }

    private static Turn turn(Task t) {
        try {
            return t.step();
        } catch (RuntimeException | Error e) {
            if (Debug.level() >= 1) System.err.println("[javelin] warm-up failed, the code stays in its plain tier: " + e);
            return Turn.DONE; // a warm-up that fails leaves its kernel as it is
        }
    }
}
