package dev.javelin.kernels.codegen;

import dev.javelin.kernels.ir.KernelIR;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One generated kernel's two tiers ({@link TieredKernel}): its {@link KernelInterpreter}, its class
 * (generated and loaded when first needed), and where the kernel stands between them:
 * <ol>
 *   <li>cold: the interpreter runs its first {@link #COLD_ELEMENTS} loop positions;</li>
 *   <li>handing over: the generated code runs every call, an elementwise call over contiguous and
 *       broadcast operands as one invocation per {@link #HANDOVER_VECTORS} vectors, timed;</li>
 *   <li>warm: such a call ran faster per position than the interpreter's fastest call
 *       {@link #CONFIRMATIONS} times (or the kernel has no call to cut, or another {@link #COLD_ELEMENTS}
 *       positions went by calls too short to cut, or {@link #MAX_PIECES} pieces ran): one invocation per call.</li>
 * </ol>
 * Why the pieces: HotSpot compiles a method with C2 once it has been invoked some 600 times with
 * 15,000 invocations and loop back edges in all (or has looped 40,000 times within calls, on stack),
 * each threshold multiplied by the length of C2's queue, which the two cores of a busy first call
 * keep long. A recurrent cell's step (three sigmoids and two tanh inline, 8192 positions a call) ran
 * hundreds of whole calls of boxed, unoptimised Vector API code before either threshold was met, and
 * C2 then compiled it twice (on stack, then whole): most of the LSTM train step's first call
 * (perf/NOTES.md, first4). Invoked in pieces of a few vectors it meets the invocation threshold
 * first, after a fraction of that cold work, and is compiled once. Either way every position is
 * computed by the same code, so the bits do not change.
 */
final class KernelTiers {
    /**
     * Loop positions the interpreter runs at most, 2^19: then the hand-over starts
     * ({@code -Djavelin.kernels.coldElements}). About what the generated code runs cold before C2
     * compiles it (15 to 30 thousand vectors), so the interpreter never costs much more than it saved.
     */
    static final long COLD_ELEMENTS = Long.getLong("javelin.kernels.coldElements", 1L << 19);
    /**
     * Vectors per invocation while the generated code is handed over, 24: with its loop's back edges
     * an invocation then counts 25 toward HotSpot's tier-4 threshold, which asks for 600 invocations
     * and 15,000 counts, so both are met at once ({@code -Djavelin.kernels.handOverVectors}).
     */
    static final int HANDOVER_VECTORS = Integer.getInteger("javelin.kernels.handOverVectors", 24);
    /** Timed calls in which the generated code must beat the interpreter before it takes calls whole. */
    static final int CONFIRMATIONS = 2;
    /**
     * Invocations in pieces after which calls run whole even if the generated code never beat the
     * interpreter (a kernel that only moves memory may run as fast in either): five times what the LSTM
     * cell needed to reach C2 on a busy first call, so by then HotSpot has compiled it or never will.
     */
    static final int MAX_PIECES = 20_000;

    private final KernelIR ir;
    private final KernelInterpreter interpreter;
    private final int lanes;
    /** Elementwise with no gathered (strided) input: a call can be cut into pieces of positions. */
    private final boolean splittable;
    private volatile CpuCodegen.Loaded loaded;
    private volatile boolean warm;
    private final AtomicLong coldElements = new AtomicLong();
    private final AtomicLong wholeElements = new AtomicLong();
    private final AtomicInteger fasterCalls = new AtomicInteger();
    private final AtomicInteger pieces = new AtomicInteger();
    /** Nanoseconds per position of the interpreter's fastest timed call (written racily: any recent value will do). */
    private volatile double fastestInterpreter = Double.POSITIVE_INFINITY;

    KernelTiers(KernelIR ir, int lanes) {
        this.ir = ir;
        this.lanes = lanes;
        this.interpreter = new KernelInterpreter(ir, lanes);
        this.splittable = ir.mode() == KernelIR.Mode.ELEMENTWISE
                && ir.loads().stream().noneMatch(l -> l.access() == KernelIR.Access.STRIDED);
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

    /** Whether every call should take the generated code: the hand-over is done (a kernel no call can split hands over at once). */
    boolean isWarm() {
        return warm || !splittable && pastColdShare();
    }

    /** Whether the interpreter has run its share: calls now hand over. */
    boolean pastColdShare() {
        return coldElements.get() >= COLD_ELEMENTS;
    }

    /** Counts a call of {@code n} positions run by the interpreter. */
    void calledCold(int n) {
        coldElements.addAndGet(n);
    }

    /** Positions per invocation while handing over, or 0 where a call of {@code n} positions is not cut. */
    int handOverPositions(int n) {
        int piece = HANDOVER_VECTORS * lanes;
        return splittable && n >= 2 * piece ? piece : 0;
    }

    /** Whether a call of {@code n} positions is long enough to time against the other tier. */
    boolean timed(int n) {
        return splittable && n >= 2 * HANDOVER_VECTORS * lanes;
    }

    /**
     * Records a call the generated code ran whole while handing over (too short to cut, or by rows):
     * after another {@link #COLD_ELEMENTS} such positions it takes every call, as it would without pieces.
     */
    void calledWhole(long n) {
        if (wholeElements.addAndGet(n) >= COLD_ELEMENTS) warm = true;
    }

    /** Records an interpreted call of {@code n} positions that took {@code nanos}. */
    void timedInterpreter(int n, long nanos) {
        double perPosition = nanos / (double) n;
        if (perPosition < fastestInterpreter) fastestInterpreter = perPosition;
    }

    /**
     * Records a call of {@code n} positions that the generated code ran in {@code invocations} pieces in {@code nanos}.
     * It takes calls whole once it was faster per position than the interpreter's fastest call
     * {@link #CONFIRMATIONS} times: a thread descheduled or a pause only make a call look slower, so
     * neither hands over code that is still cold. After {@link #MAX_PIECES} pieces it takes them whole anyway.
     */
    void timedHandOver(int n, int invocations, long nanos) {
        if (nanos / (double) n < fastestInterpreter && fasterCalls.incrementAndGet() >= CONFIRMATIONS) warm = true;
        if (pieces.addAndGet(invocations) >= MAX_PIECES) warm = true;
    }

    /** The offsets of position {@code start}: contiguous slots (every output) move, broadcast ones stay. */
    int[] offsetsFrom(int[] offsets, int start) {
        int[] at = offsets.clone();
        for (int s = 0; s < at.length; s++) {
            if (s >= ir.inputSlots() || ir.loads().get(s).access() == KernelIR.Access.CONTIGUOUS) at[s] += start;
        }
        return at;
    }
}
