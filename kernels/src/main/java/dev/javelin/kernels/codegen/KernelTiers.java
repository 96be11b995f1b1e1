package dev.javelin.kernels.codegen;

import dev.javelin.kernels.ir.KernelIR;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One generated kernel's two tiers ({@link TieredKernel}): its {@link KernelInterpreter}, its class
 * (generated and loaded when first needed), and how many loop positions the interpreter has run.
 * After {@link #COLD_ELEMENTS} positions the generated code is warmed up off the caller's path
 * ({@link GeneratedCodeWarmup}) and takes over once C2 has compiled it.
 */
final class KernelTiers {
    /**
     * Loop positions the interpreter runs before the hand-over starts, 2^19 ({@code -Djavelin.kernels.coldElements};
     * 0: the generated code from the first call). About what the generated
     * code runs cold before C2 compiles it (15 to 30 thousand vectors), so the interpreter never costs
     * much more than it saved.
     */
    static final long COLD_ELEMENTS = Long.getLong("javelin.kernels.coldElements", 1L << 19);

    private final KernelIR ir;
    private final KernelInterpreter interpreter;
    private volatile CpuCodegen.Loaded loaded;
    private final AtomicLong coldElements = new AtomicLong();
    private final AtomicBoolean startedWarmup = new AtomicBoolean();
    private volatile GeneratedCodeWarmup warmup;
    private volatile boolean handedOver = COLD_ELEMENTS == 0;

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

    KernelIR ir() {
        return ir;
    }

    /**
     * Whether calls should take the generated code: past {@link #COLD_ELEMENTS} positions in the
     * interpreter and, unless the warm-up is off, warmed up.
     */
    boolean isWarm() {
        return handedOver;
    }

    /**
     * Counts a call of {@code n} positions that the interpreter ran in {@code nanos}; past
     * {@link #COLD_ELEMENTS}, warms the generated code for up to half that time ({@link GeneratedCodeWarmup}).
     */
    void calledCold(int n, long nanos) {
        if (coldElements.addAndGet(n) < COLD_ELEMENTS || TieredKernel.policy() != TieredKernel.Policy.TIERED) return;
        GeneratedCodeWarmup w = warmup;
        if (w == null) {
            if (!startedWarmup.compareAndSet(false, true)) return; // another thread is generating the class
            if (!GeneratedCodeWarmup.ENABLED || !GeneratedCodeWarmup.probeable(ir)) {
                handOver();
                return;
            }
            warmup = w = new GeneratedCodeWarmup(this);
        }
        if (w.probe(nanos / 2)) handOver();
    }

    /** From now on calls take the generated code. */
    void handOver() {
        handedOver = true;
    }
}
