package dev.javelin.kernels.codegen;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Mode;
import dev.javelin.tensor.DType;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One generated kernel's two tiers, its class (generated when first needed), and the optional
 * background warm-up ({@link WarmupThread}, off by default) of its generated code ({@link TieredKernel}).
 * The warm-up runs the generated code on scratch arrays (a few vectors and a
 * masked tail, every slot in its access pattern) on one background daemon thread ({@link WarmupThread}), until a call takes about what C2's code takes (tens of nanoseconds per instruction and
 * vector, against microseconds interpreted or boxed by C1), or at most {@value #MAX_WARMUP_MS} ms.
 * A kernel is queued on its second call: a kernel called once (a test, a one-off eager op) costs no
 * background work, and a train step's first call runs without a warm-up beside it. After
 * {@link #COLD_ELEMENTS} positions in the interpreter the generated code runs warm or not.
 */
final class KernelWarmup {
    /** Calls in the interpreter before the generated code is warmed up in the background. */
    static final int QUEUE_AFTER_CALLS = 2;
    /**
     * Loop positions the interpreter runs at most, 2^19: then the generated code runs, warm or not,
     * as a JVM without tiers would ({@code -Djavelin.kernels.coldElements}). About what the generated
     * code runs cold before C2 compiles it (15 to 30 thousand vectors), so the interpreter never costs
     * much more than it saved; it covers every kernel of an MLP 784-512-512-10 train step's first call
     * (the largest, Adam over 784x512, is 401,408 positions), row groups' row-by-row calls included.
     */
    static final long COLD_ELEMENTS = Long.getLong("javelin.kernels.coldElements", 1L << 19);
    static final long MAX_WARMUP_MS = 20_000;

    private final KernelIR ir;
    private final KernelInterpreter interpreter;
    private volatile CpuCodegen.Loaded loaded;
    private final AtomicInteger coldCalls = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong coldElements = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean warm;

    KernelWarmup(KernelIR ir, int lanes) {
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

    /** Whether calls should take the generated code: warm, or past {@link #COLD_ELEMENTS} positions in the interpreter. */
    boolean isWarm() {
        return warm || coldElements.get() >= COLD_ELEMENTS;
    }

    /** Counts a call of {@code n} positions run by the interpreter; queues the warm-up on the second. */
    void calledCold(int n) {
        coldElements.addAndGet(n);
        if (TieredKernel.policy() == TieredKernel.Policy.TIERED && coldCalls.incrementAndGet() == QUEUE_AFTER_CALLS) {
            warmUp();
        }
    }

    /** Queues the warm-up: the generated code on scratch data, a batch per turn, until it is compiled (by its speed). */
    private void warmUp() {
        int lanes = KernelSupport.S.length();
        int n = 4 * lanes + 3; // the rotating row loop, then a masked tail
        int slots = ir.inputSlots() + 1;
        Object[] arrays = new Object[slots];
        int[] offsets = new int[slots];
        int[][] maps = new int[slots][];
        for (int s = 0; s < ir.inputSlots(); s++) {
            KernelIR.Load load = ir.loads().get(s);
            int length = load.access() == Access.BROADCAST ? 1 : n;
            arrays[s] = load.dtype() == DType.BOOL ? alternating(length) : filled(length, 0.75f + s / 8f);
            if (load.access() == Access.STRIDED) maps[s] = KernelSupport.gatherMap(1, n);
        }
        arrays[slots - 1] = ir.outDtype() == DType.BOOL ? new boolean[n] : new float[n];
        boolean row = ir.mode() == Mode.REDUCE_ROW;
        // C2's code: a few nanoseconds per instruction and vector (E_add_relu: 125-250 ns a call); C1's: 1-4 us
        long target = 20L * interpreter.instructions() * (n / lanes + 1) + 300;
        long deadline = System.nanoTime() + MAX_WARMUP_MS * 1_000_000L;
        // the class is generated on this (the warm-up) thread, at the first call
        Runnable call = row ? () -> loaded().kernel().reduce(arrays, offsets, maps, n) : () -> loaded().kernel().run(arrays, offsets, maps, n);
        // both tiers give the same bits: switching early (at the deadline) costs time, never a result
        WarmupThread.submit(WarmupThread.calls(ir.name(), call, target, deadline, () -> warm = true));
    }

    private static float[] filled(int length, float v) {
        float[] a = new float[length];
        Arrays.fill(a, v);
        return a;
    }

    private static boolean[] alternating(int length) {
        boolean[] a = new boolean[length];
        for (int i = 0; i < length; i++) a[i] = i % 2 == 0;
        return a;
    }
}
