package dev.javelin.kernels.codegen;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Mode;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.spi.Debug;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Brings a kernel's generated code to C2 before the kernel's own calls use it. Until C2 has compiled
 * it, generated Vector API code runs in the bytecode interpreter or as C1's boxed vectors, ten times
 * slower than the interpreter tier or more, and a large kernel (a recurrent cell's gates with their
 * exp and tanh inline) spent seconds of a first train step there (perf/NOTES.md, "Recurrence cells
 * from the kernel IR"). So once a kernel has used up its interpreter share ({@link KernelTiers}) its
 * calls stay in the interpreter, and after each the calling thread spends up to half that call's time
 * calling the generated code on scratch arrays ({@link #PROBE_VECTORS} vectors and a masked tail,
 * every slot in its access pattern): many short calls reach C2's invocation thresholds at a fraction
 * of the cost of whole rows. When a probe takes what C2's code takes (at most 10 ns per instruction
 * and vector, against tens to hundreds for C1's), the kernel hands over.
 *
 * <p>On the caller's thread, not a background one: a third runnable thread on two cores stalled the
 * pool's parallel loops (measured: the LSTM step's first call 1.7x slower). After {@link #MAX_CALLS}
 * probes or {@link #MAX_NANOS} the kernel hands over anyway: both tiers give the same bits, so when
 * the switch happens changes time, never a result. {@code -Djavelin.kernels.warmUp=false} hands over
 * at the end of the interpreter's share at once (the behaviour before).
 */
final class GeneratedCodeWarmup {
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("javelin.kernels.warmUp", "true"));
    /** Whole vectors per probe call, then a masked tail of 3. */
    static final int PROBE_VECTORS = 2;
    static final int MAX_CALLS = 50_000;
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final KernelTiers tiers;
    private final FusedKernel generated;
    private final Object[] arrays;
    private final int[] offsets;
    private final int[][] maps;
    private final int n;
    private final boolean reduce;
    /** C2's code takes one to a few nanoseconds per instruction and vector, C1's boxed vectors tens to hundreds. */
    private final long compiledNanos;
    private final long start = System.nanoTime();
    private final AtomicBoolean probing = new AtomicBoolean();
    private int calls;

    /** Generates the kernel's class (on the calling thread) and its scratch arguments. */
    GeneratedCodeWarmup(KernelTiers tiers) {
        this.tiers = tiers;
        KernelIR ir = tiers.ir();
        n = PROBE_VECTORS * KernelSupport.S.length() + 3;
        arrays = scratch(ir, n);
        offsets = new int[arrays.length];
        maps = new int[arrays.length][];
        for (int s = 0; s < ir.inputSlots(); s++) {
            if (ir.loads().get(s).access() == Access.STRIDED) maps[s] = KernelSupport.gatherMap(1, n);
        }
        reduce = ir.mode() == Mode.REDUCE_ROW;
        generated = tiers.loaded().kernel();
        compiledNanos = 10L * tiers.interpreter().instructions() * (PROBE_VECTORS + 1) + 300;
    }

    /**
     * Probes for about {@code budgetNanos} (at least one call); true when the generated code ran at
     * compiled speed or the limits are reached, i.e. the kernel should hand over. One thread probes at a time.
     */
    boolean probe(long budgetNanos) {
        if (!probing.compareAndSet(false, true)) return false;
        try {
            for (long begin = System.nanoTime(); ; ) {
                long t0 = System.nanoTime();
                if (reduce) generated.reduce(arrays, offsets, maps, n);
                else generated.run(arrays, offsets, maps, n);
                long t1 = System.nanoTime();
                calls++;
                if (t1 - t0 <= compiledNanos) return handOver("compiled speed");
                if (calls >= MAX_CALLS || t1 - start > MAX_NANOS) return handOver("limit reached");
                if (t1 - begin >= budgetNanos) return false;
            }
        } finally {
            probing.set(false);
        }
    }

    private boolean handOver(String why) {
        if (Debug.level() >= 1) {
            System.err.printf("[javelin-kernels] %s takes its generated code after %d probe calls, %.1f ms (%s)%n", tiers.ir().name(),
                    calls, (System.nanoTime() - start) / 1e6, why);
        }
        return true;
    }

    /** Whether every slot's dtype has a scratch array here. */
    static boolean probeable(KernelIR ir) {
        for (KernelIR.Load l : ir.loads()) if (!supported(l.dtype())) return false;
        return supported(ir.outDtype());
    }

    private static boolean supported(DType t) {
        return t == DType.FLOAT32 || t == DType.BOOL; // what the generated code loads and stores
    }

    /** Inputs of finite, moderate values (masks alternating), then the output slots. */
    private static Object[] scratch(KernelIR ir, int n) {
        int inputs = ir.inputSlots();
        Object[] arrays = new Object[inputs + Math.max(1, ir.outputs())];
        for (int s = 0; s < inputs; s++) {
            KernelIR.Load load = ir.loads().get(s);
            arrays[s] = array(load.dtype(), load.access() == Access.BROADCAST ? 1 : n, 0.75f + s / 8f);
        }
        for (int s = inputs; s < arrays.length; s++) arrays[s] = array(ir.outDtype(), n, 0f);
        return arrays;
    }

    private static Object array(DType t, int length, float value) {
        if (t == DType.BOOL) {
            boolean[] a = new boolean[length];
            for (int i = 0; i < length; i += 2) a[i] = true;
            return a;
        }
        float[] a = new float[length];
        Arrays.fill(a, value);
        return a;
    }
}
