package dev.javelin.tensor.spi;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who still reads the memory of a variable value that a compiled program wrote, so that the
 * program can take that memory back ({@link HostBuffers}) once the variable holds a newer value:
 * "reuse after the last reader". A value starts private to executors. Executors reading it
 * {@linkplain #pin() pin} it for the length of their run; anything else that reads it (user code
 * through {@code Variable.value()} or {@code stored()}, a checkpoint, an output that aliases it)
 * makes it {@linkplain #escape() escaped} for good, and an escaped value is never reclaimed. The
 * replacer {@linkplain #reclaim() reclaims} it only when nobody pins it and it never escaped; a pin
 * or an escape that comes after the reclaim fails, and the reader then re-reads the variable, which
 * by then holds the newer value.
 *
 * <pre>{@code
 * BufferLease lease = new BufferLease();
 * if (lease.pin()) { ... read ...; lease.unpin(); }
 * if (lease.reclaim()) HostBuffers.give(array);   // after the variable moved on
 * }</pre>
 */
public final class BufferLease {
    private static final int ESCAPED = -1;
    private static final int RECLAIMED = -2;
    /** Executors pinning the value (>= 0), or ESCAPED, or RECLAIMED. */
    private final AtomicInteger state = new AtomicInteger();

    /** Pins the value for an executor's run; false when it was reclaimed (re-read the variable). */
    public boolean pin() {
        for (;;) {
            int s = state.get();
            if (s == RECLAIMED) return false;
            if (s == ESCAPED || state.compareAndSet(s, s + 1)) return true;
        }
    }

    /** Ends a {@link #pin()}. */
    public void unpin() {
        for (;;) {
            int s = state.get();
            if (s <= 0 || state.compareAndSet(s, s - 1)) return; // escaped: pins no longer counted
        }
    }

    /** Marks the value as held beyond executors, for good; false when it was reclaimed (re-read the variable). */
    public boolean escape() {
        for (;;) {
            int s = state.get();
            if (s == RECLAIMED) return false;
            if (s == ESCAPED || state.compareAndSet(s, ESCAPED)) return true;
        }
    }

    /** Takes the value's memory back: true only when nobody pins it and it never escaped; then nobody will read it again. */
    public boolean reclaim() {
        return state.compareAndSet(0, RECLAIMED);
    }

    /** Whether the value escaped (for tests and logs). */
    public boolean escaped() {
        return state.get() == ESCAPED;
    }
}
