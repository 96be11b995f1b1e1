package dev.javelin.kernels.codegen;

import dev.javelin.kernels.ir.KernelIR;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One generated kernel's two tiers ({@link TieredKernel}): its {@link KernelInterpreter}, its class
 * (generated and loaded when first needed), and how many loop positions the interpreter has run.
 * After {@link #COLD_ELEMENTS} positions the generated code takes over.
 */
final class KernelTiers {
    /**
     * Loop positions the interpreter runs at most, 2^19: then the generated code runs, warm or not,
     * as a JVM without tiers would ({@code -Djavelin.kernels.coldElements}). About what the generated
     * code runs cold before C2 compiles it (15 to 30 thousand vectors), so the interpreter never costs
     * much more than it saved.
     */
    static final long COLD_ELEMENTS = Long.getLong("javelin.kernels.coldElements", 1L << 19);

    private final KernelIR ir;
    private final KernelInterpreter interpreter;
    private volatile CpuCodegen.Loaded loaded;
    private final AtomicLong coldElements = new AtomicLong();

    KernelTiers(KernelIR ir, int lanes) {
        this.ir = ir;
        this.interpreter = new KernelInterpreter(ir, lanes);
    }

    /** The generated class, generated and loaded on the first call. */
    CpuCodegen.Loaded loaded() {
        CpuCodegen.Loaded l = loaded;
        if (l != null) return l;
        synchronized (this) {
            if (loaded == null) loaded = CpuCodegen.load(ir);
            return loaded;
        }
    }

    CpuCodegen.Loaded loadedIfAny() {
        return loaded;
    }

    KernelInterpreter interpreter() {
        return interpreter;
    }

    /** Whether calls should take the generated code: past {@link #COLD_ELEMENTS} positions in the interpreter. */
    boolean isWarm() {
        return coldElements.get() >= COLD_ELEMENTS;
    }

    /** Counts a call of {@code n} positions run by the interpreter. */
    void calledCold(int n) {
        coldElements.addAndGet(n);
    }
}
