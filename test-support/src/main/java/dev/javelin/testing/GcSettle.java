package dev.javelin.testing;

import java.util.function.LongSupplier;

/**
 * For tests that count memory released deterministically (device blocks given back by {@code release}):
 * memory that earlier code dropped is freed by the GC's cleaners at a time of their choosing, which would
 * move a before/after count. {@link #settled} runs the GC until the count stops moving, so that what the
 * test still reaches is all that is counted.
 *
 * <pre>{@code
 * long before = GcSettle.settled(() -> CudaBackend.memoryAllocated(gpu));
 * }</pre>
 */
public final class GcSettle {
    private GcSettle() {}

    /** {@code count} once two readings 50 ms apart, each after a GC, agree (at most about 2 s of tries). */
    public static long settled(LongSupplier count) {
        long last = Long.MIN_VALUE;
        for (int i = 0; i < 40; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = count.getAsLong();
            if (now == last) return now;
            last = now;
        }
        return count.getAsLong();
    }
}
