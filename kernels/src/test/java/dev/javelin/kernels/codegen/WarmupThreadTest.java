package dev.javelin.kernels.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.kernels.codegen.WarmupThread.Turn;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The warm-up task's schedule, stepped by hand (the background thread itself is off by default):
 * a batch of calls per turn up to HotSpot's threshold, then probes spaced in time until a call is
 * fast enough or the deadline passes, and {@code whenWarm} exactly once at the end.
 */
class WarmupThreadTest {
    @Test
    void callsPastTheThresholdThenProbesUntilFast() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger(), warm = new AtomicInteger();
        long farDeadline = System.nanoTime() + 60_000_000_000L;
        WarmupThread.Task task = WarmupThread.calls("test", calls::incrementAndGet, Long.MAX_VALUE, farDeadline, warm::incrementAndGet);
        int worked = 0;
        Turn turn;
        while ((turn = task.step()) == Turn.WORKED) worked++;
        assertEquals(WarmupThread.CALLS, calls.get(), "batches stop at the threshold");
        assertTrue(worked > 1, "the threshold takes several turns, so other tasks get theirs");
        assertEquals(Turn.WAITING, turn, "the first probe waits for its spacing");
        assertEquals(0, warm.get());
        while ((turn = task.step()) == Turn.WAITING) Thread.sleep(1);
        assertEquals(Turn.DONE, turn, "a probe faster than the bound ends the task");
        assertEquals(1, warm.get());
        assertTrue(calls.get() > WarmupThread.CALLS);
    }

    @Test
    void aPassedDeadlineEndsTheTaskOnItsNextTurn() {
        AtomicInteger calls = new AtomicInteger(), warm = new AtomicInteger();
        WarmupThread.Task task = WarmupThread.calls("test", calls::incrementAndGet, 0, System.nanoTime() - 1, warm::incrementAndGet);
        assertEquals(Turn.DONE, task.step());
        assertEquals(1, warm.get(), "whenWarm runs when the time limit ends the warm-up too");
        assertTrue(calls.get() > 0 && calls.get() < WarmupThread.CALLS);
    }
}
