package dev.javelin.jit;

/**
 * How {@link Jit#compile(java.util.function.Function, JitOptions)} specializes and checks a function.
 * Immutable; the {@code with...} methods return changed copies.
 *
 * <pre>{@code
 * CompiledFunction step = Jit.compile(fn, JitOptions.dynamicBatch().withNanCheck());
 * }</pre>
 */
public final class JitOptions {
    private final boolean dynamicBatch;
    private final boolean nanCheck;
    private final int cacheSize;

    private JitOptions(boolean dynamicBatch, boolean nanCheck, int cacheSize) {
        if (cacheSize < 1) throw new IllegalArgumentException("JitOptions: cacheSize must be >= 1, got " + cacheSize);
        this.dynamicBatch = dynamicBatch;
        this.nanCheck = nanCheck;
        this.cacheSize = cacheSize;
    }

    /** Static shapes, no checks, 16 programs kept per function. */
    public static JitOptions defaults() {
        return new JitOptions(false, false, 16);
    }

    /**
     * Defaults with a dynamic batch: dimension 0 of the arguments may change between calls (the
     * smaller last batch of an epoch). A new batch size is re-planned reusing every generated kernel
     * (loop bounds are run-time parameters) and is not logged as a recompilation.
     */
    public static JitOptions dynamicBatch() {
        return defaults().withDynamicBatch();
    }

    /**
     * Defaults with the NaN check: after each call, outputs and variable writes are checked for NaN
     * and infinity; if one is found the program is rerun op by op and an {@link ArithmeticException}
     * names the first op that produced one.
     */
    public static JitOptions nanCheck() {
        return defaults().withNanCheck();
    }

    public JitOptions withDynamicBatch() { return new JitOptions(true, nanCheck, cacheSize); }
    public JitOptions withNanCheck() { return new JitOptions(dynamicBatch, true, cacheSize); }
    /** Programs kept per compiled function (least recently used out). */
    public JitOptions withCacheSize(int size) { return new JitOptions(dynamicBatch, nanCheck, size); }

    public boolean isDynamicBatch() { return dynamicBatch; }
    public boolean isNanCheck() { return nanCheck; }
    public int cacheSize() { return cacheSize; }

    @Override
    public String toString() {
        return "JitOptions(dynamicBatch=" + dynamicBatch + ", nanCheck=" + nanCheck + ", cacheSize=" + cacheSize + ")";
    }
}
