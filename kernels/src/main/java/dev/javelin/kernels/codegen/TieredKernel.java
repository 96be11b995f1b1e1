package dev.javelin.kernels.codegen;

import java.util.Locale;

/**
 * A generated kernel whose first calls run in {@link KernelInterpreter} (until they have covered
 * 2^19 loop positions) and whose later calls run its generated Vector API code (its class is
 * generated then), invoked a few vectors at a time until it runs faster than the interpreter
 * ({@link KernelTiers}: how HotSpot decides to compile it). Both tiers give the same
 * bits (the interpreter's reason to exist), so which one ran changes no result; the interpreter only
 * keeps a cold JVM from running a program's first call as interpreted and boxed Vector API code
 * (most of a fresh JVM's first train step, perf/NOTES.md cold start), and a kernel called once from
 * costing a class at all. {@code -Djavelin.kernels.coldElements=N} sets the interpreter's share;
 * the count is kept in {@link KernelTiers}.
 *
 * <p>{@code -Djavelin.kernels.tiers=vector} runs the generated code from the first call (the old
 * behaviour), {@code =interpreter} never leaves the interpreter (for tests and measurements);
 * {@link #setPolicy} does the same at run time.
 *
 * <pre>{@code
 * FusedKernel k = CpuCodegen.compile(ir).kernel();   // a TieredKernel
 * k.run(arrays, offsets, maps, n);                   // interpreted now, generated code once warm
 * }</pre>
 */
public final class TieredKernel implements FusedKernel {
    /** Which tier runs a kernel's calls. */
    public enum Policy {
        /** The interpreter until the generated code is warm (the default). */
        TIERED,
        /** The generated code from the first call. */
        VECTOR,
        /** The interpreter always. */
        INTERPRETER
    }

    private static volatile Policy policy = Policy.valueOf(
            System.getProperty("javelin.kernels.tiers", "tiered").toUpperCase(Locale.ROOT));

    private final KernelTiers state;
    private final boolean throughHandle;

    /** {@code throughHandle}: call the generated code through method handles ({@link OpaqueKernel}). */
    TieredKernel(KernelTiers state, boolean throughHandle) {
        this.state = state;
        this.throughHandle = throughHandle;
    }

    /** Sets the policy for every kernel's later calls. */
    public static void setPolicy(Policy p) {
        policy = p;
    }

    /** The policy in force. */
    public static Policy policy() {
        return policy;
    }

    /** The generated tier itself (for tests of the code generator, which must not go through the interpreter). */
    public FusedKernel generatedCode() {
        CpuCodegen.Loaded l = state.loaded();
        return throughHandle ? l.opaque() : l.kernel();
    }

    /** Whether this kernel's calls now run its generated code (all of them: its hand-over is done). */
    public boolean usesGeneratedCode() {
        Policy p = policy;
        return p == Policy.VECTOR || p == Policy.TIERED && state.isWarm();
    }

    /** Whether this call runs in the interpreter alone: its share is not spent, or the policy says so. */
    private boolean interpreted() {
        Policy p = policy;
        return p == Policy.INTERPRETER || p == Policy.TIERED && !state.pastColdShare();
    }

    @Override
    public void run(Object[] arrays, int[] offsets, int[][] maps, int n) {
        if (usesGeneratedCode()) {
            generatedCode().run(arrays, offsets, maps, n);
        } else if (interpreted()) {
            state.calledCold(n);
            long t0 = System.nanoTime();
            state.interpreter().run(arrays, offsets, maps, n);
            if (state.timed(n)) state.timedInterpreter(n, System.nanoTime() - t0);
        } else {
            handOver(arrays, offsets, maps, n);
        }
    }

    /**
     * A call while the generated code takes over ({@link KernelTiers}): one invocation per piece of a
     * few vectors (the last one with the tail), timed; or one invocation where the call is not cut.
     */
    private void handOver(Object[] arrays, int[] offsets, int[][] maps, int n) {
        FusedKernel generated = generatedCode();
        int piece = state.handOverPositions(n);
        if (piece == 0) {
            state.calledWhole(n);
            generated.run(arrays, offsets, maps, n);
            return;
        }
        long t0 = System.nanoTime();
        int last = n - piece - n % piece; // the last piece takes the rest: whole vectors and the tail
        int invocations = last / piece + 1;
        for (int start = 0; start <= last; start += piece) {
            int len = start == last ? n - start : piece;
            generated.run(arrays, start == 0 ? offsets : state.offsetsFrom(offsets, start), maps, len);
        }
        long nanos = System.nanoTime() - t0;
        state.timedHandOver(n, invocations, nanos);
    }

    @Override
    public void runRows(Object[] arrays, int[] offsets, int[][] maps, int n, int[] rowStrides, int rows) {
        if (interpreted()) {
            state.calledCold(Math.toIntExact(Math.min((long) n * rows, Integer.MAX_VALUE)));
            state.interpreter().runRows(arrays, offsets, maps, n, rowStrides, rows);
        } else {
            if (!state.isWarm()) state.calledWhole((long) n * rows);
            generatedCode().runRows(arrays, offsets, maps, n, rowStrides, rows);
        }
    }

    @Override
    public float reduce(Object[] arrays, int[] offsets, int[][] maps, int n) {
        if (!interpreted()) return generatedCode().reduce(arrays, offsets, maps, n);
        state.calledCold(n);
        return state.interpreter().reduce(arrays, offsets, maps, n);
    }

    @Override
    public void reduceRows(Object[] arrays, int[] offsets, int[][] maps, int[] lengths, int[] rowStrides, int rows, float[] results) {
        if (interpreted()) {
            long positions = 0;
            for (int r = 0; r < rows; r++) positions += lengths[r];
            state.calledCold(Math.toIntExact(Math.min(positions, Integer.MAX_VALUE)));
            state.interpreter().reduceRows(arrays, offsets, maps, lengths, rowStrides, rows, results);
        } else {
            generatedCode().reduceRows(arrays, offsets, maps, lengths, rowStrides, rows, results);
        }
    }
}
