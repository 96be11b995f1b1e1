package dev.javelin.kernels.codegen;

import java.util.Locale;

/**
 * A generated kernel that starts in {@link KernelInterpreter} and moves to its generated Vector API
 * code once that code is warm: from its second call the kernel is queued for {@link KernelWarmup},
 * which runs the generated code on scratch data on a background thread until HotSpot's C2 has
 * compiled it. Both tiers give the same bits (the interpreter's reason to exist), so when the switch
 * happens changes no result; it only keeps a cold JVM from running interpreted and boxed Vector API
 * code on the caller's data (most of a fresh JVM's first train step, perf/NOTES.md cold start).
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

    private final KernelWarmup state;
    private final FusedKernel generated;

    /** {@code generated}: the generated code as callers should call it (possibly through a method handle). */
    TieredKernel(KernelWarmup state, FusedKernel generated) {
        this.state = state;
        this.generated = generated;
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
        return generated;
    }

    /** Whether this kernel's calls now run its generated code. */
    public boolean usesGeneratedCode() {
        Policy p = policy;
        return p == Policy.VECTOR || p == Policy.TIERED && state.isWarm();
    }

    @Override
    public void run(Object[] arrays, int[] offsets, int[][] maps, int n) {
        if (usesGeneratedCode()) {
            generated.run(arrays, offsets, maps, n);
        } else {
            state.calledCold();
            state.interpreter().run(arrays, offsets, maps, n);
        }
    }

    @Override
    public float reduce(Object[] arrays, int[] offsets, int[][] maps, int n) {
        if (usesGeneratedCode()) return generated.reduce(arrays, offsets, maps, n);
        state.calledCold();
        return state.interpreter().reduce(arrays, offsets, maps, n);
    }
}
