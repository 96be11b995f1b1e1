package dev.javelin.jit;

import dev.javelin.jit.cpu.KernelCache;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.runtime.Program;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Debug;
import dev.javelin.tensor.spi.Dispatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A function compiled by {@link Jit#compile}: one cached program per signature (the shapes, dtypes
 * and devices of the arguments). The first call with a signature traces, optimizes and generates
 * code; later calls only run. Safe to call from several threads.
 *
 * <p>With a {@linkplain JitOptions#dynamicBatch() dynamic batch}, a function whose program keeps
 * the rows of the batch apart (a forward pass in inference mode; see {@link RowIndependence}) is
 * served from one program per power of two: batch {@code n} runs in the program for the next power
 * of two, its batched arguments padded with zero rows and the results cut back to {@code n} rows. So
 * any mix of batch sizes up to {@code N} builds at most {@code ceil(log2 N) + 2} programs (the
 * buckets plus the first call's own size): 12 for sizes 1 to 1,000. The first padded call is
 * checked once against the function run op by op; a function that mixes rows (a loss averaged over
 * the batch, batch statistics, variable writes) gets an exact program per batch size, and the
 * least recently used of them are dropped past {@link JitOptions#cacheSize()}.
 *
 * <pre>{@code
 * CompiledFunction f = Jit.compile(a -> new Tensor[] {a[0].mul(a[1]).add(1.0).tanh()});
 * Tensor y = f.call(x, w)[0];
 * }</pre>
 */
public final class CompiledFunction {
    /** {@code -Djavelin.jit.batchBuckets=false} turns the padded power-of-two programs off: for measuring what they buy. */
    private static final boolean BATCH_BUCKETS = Boolean.parseBoolean(System.getProperty("javelin.jit.batchBuckets", "true"));
    private final Function<Tensor[], Tensor[]> fn;
    private final JitOptions options;
    private final Map<Signature, Program> cache;
    private final Object compileLock = new Object();
    /** The most recent recompilation reasons, at most {@link #REASONS_KEPT} (a long run would otherwise grow it forever). */
    private final ArrayDeque<String> recompileReasons = new ArrayDeque<>();
    /** Reasons kept by {@link #recompileReasons()}; older ones are counted in {@link #droppedReasons}. */
    static final int REASONS_KEPT = 64;
    private long droppedReasons;
    /** Dynamic batch only: whether the programs keep batch rows apart; null until the first compilation decides. */
    private volatile Boolean rowWise;
    /** Whether a padded run has been compared once with the function run op by op. */
    private volatile boolean paddingChecked;
    private volatile Signature last;
    private volatile LastCall lastCall;
    private volatile long compilations;
    private volatile long lastCompileNanos;

    CompiledFunction(Function<Tensor[], Tensor[]> fn, JitOptions options) {
        this.fn = fn;
        this.options = options;
        int capacity = options.cacheSize();
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Signature, Program> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Runs the function compiled for the arguments' signature (compiling it on first use). Called
     * while a gradient tape records outside it, the function runs eagerly instead, so that tape sees
     * its ops (a compiled program is opaque to observers); record the tape inside the function to
     * compile the backward pass too.
     */
    public Tensor[] call(Tensor... args) {
        if (!Dispatch.observers().isEmpty()) return Tracer.apply(fn, args);
        Tensor[] bucketed = callInBucket(args);
        if (bucketed != null) return bucketed;
        Program p = programFor(args);
        if (!options.isNanCheck()) return p.run(args);
        Tensor[] variablesBefore = new Tensor[p.graph().variables().size()];
        for (int i = 0; i < variablesBefore.length; i++) variablesBefore[i] = p.graph().variables().get(i).stored();
        Tensor[] out = p.run(args);
        boolean bad = false;
        for (Tensor t : out) bad |= NanCheck.hasNonFinite(t);
        for (Variable v : p.graph().variables()) bad |= NanCheck.hasNonFinite(v.stored());
        if (bad) {
            String culprit = NanCheck.firstNonFinite(p.graph(), args, variablesBefore);
            throw new ArithmeticException("Jit nan-check: " + (culprit == null
                    ? "the compiled program produced a NaN or infinity that the op-by-op rerun does not (a kernel differs from eager)"
                    : "first NaN or infinity produced by " + culprit));
        }
        return out;
    }

    /**
     * Runs like {@link #call} but writes the results into {@code out}, one contiguous CPU tensor
     * per output, of its shape and dtype (PyTorch's {@code out=}). Results that a kernel computes
     * go straight into those arrays, so a loop of calls allocates nothing for them. Returns {@code out}.
     *
     * <pre>{@code
     * Tensor y = Tensors.zeros(x.shape(), DType.FLOAT32);
     * f.callInto(new Tensor[] {y}, x);   // y holds f(x)[0]
     * }</pre>
     */
    public Tensor[] callInto(Tensor[] out, Tensor... args) {
        if (!Dispatch.observers().isEmpty() || options.isNanCheck()) return Program.copyInto(call(args), out);
        Tensor[] bucketed = callInBucket(args);
        if (bucketed != null) return Program.copyInto(bucketed, out);
        return programFor(args).run(args, out);
    }

    /**
     * Runs a row-wise dynamic-batch function in its power-of-two bucket (see the class comment);
     * null when that does not apply (static shapes, the NaN check, a function that mixes rows, a
     * batch that is a power of two already, or before the first compilation has decided).
     */
    private Tensor[] callInBucket(Tensor[] args) {
        if (!BATCH_BUCKETS || !options.isDynamicBatch() || options.isNanCheck() || !Boolean.TRUE.equals(rowWise)) return null;
        int n = batchOf(args);
        int bucket = bucketOf(n);
        if (n < 1 || bucket == n) return null;
        Tensor[] padded = args.clone();
        boolean[] batched = batched(args, n);
        for (int i = 0; i < args.length; i++) {
            if (!batched[i]) continue;
            int[] low = new int[args[i].rank()], high = new int[args[i].rank()];
            high[0] = bucket - n;
            padded[i] = Ops.pad(args[i], low, high, new int[low.length], 0);
        }
        Tensor[] out = programFor(padded).run(padded);
        for (int i = 0; i < out.length; i++) out[i] = out[i].narrow(0, 0, n);
        if (!paddingChecked) return checkPadding(args, out);
        return out;
    }

    /**
     * The first padded run is compared with the function run op by op: a value that depends on the
     * batch size itself (a constant from {@code x.dim(0)}) would differ, and then this function
     * keeps exact programs from now on.
     */
    private Tensor[] checkPadding(Tensor[] args, Tensor[] padded) {
        Tensor[] exact = Tracer.apply(fn, args);
        boolean same = exact.length == padded.length;
        for (int i = 0; same && i < exact.length; i++) same = close(exact[i], padded[i]);
        if (!same) {
            rowWise = false;
            log("padding the batch changed the results (the function depends on the batch size): exact programs per size from now on");
            return exact;
        }
        paddingChecked = true;
        return padded;
    }

    private static boolean close(Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape()) || a.dtype() != b.dtype()) return false;
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        double tolerance = a.dtype().isFloating() ? 1e-4 : 0;
        for (int i = 0; i < x.length; i++) {
            boolean bothNan = Double.isNaN(x[i]) && Double.isNaN(y[i]);
            if (!bothNan && !(Math.abs(x[i] - y[i]) <= tolerance * Math.max(1, Math.abs(x[i])))) return false;
        }
        return true;
    }

    /** The batch size: dimension 0 of the first argument that has one; 0 when none does. */
    private static int batchOf(Tensor[] args) {
        for (Tensor t : args) if (t.rank() > 0) return t.dim(0);
        return 0;
    }

    /** The arguments that carry the batch: dimension 0 equal to {@code n}. */
    private static boolean[] batched(Tensor[] args, int n) {
        boolean[] b = new boolean[args.length];
        for (int i = 0; i < args.length; i++) b[i] = args[i].rank() > 0 && args[i].dim(0) == n;
        return b;
    }

    /** The smallest power of two that is at least {@code n} (n itself past 2^30). */
    static int bucketOf(int n) {
        if (n <= 1 || n > (1 << 30)) return n;
        return Integer.highestOneBit(n - 1) << 1;
    }

    private Program programFor(Tensor[] args) {
        Signature sig = Signature.of(args);
        LastCall previous = lastCall;
        if (previous != null && previous.signature().equals(sig) && previous.program().variablesMatch()) {
            Compiler.CACHE_HITS.incrementAndGet();
            return previous.program();
        }
        Program p = lookup(sig);
        if (p == null) {
            synchronized (compileLock) {
                p = lookup(sig);
                if (p == null) p = compile(sig, args);
            }
        } else {
            Compiler.CACHE_HITS.incrementAndGet();
        }
        lastCall = new LastCall(sig, p);
        return p;
    }

    /**
     * The previous call's signature and program: a call with the same signature (a decode loop, a training
     * loop) skips the cache's locked lookup. The program's variables are still checked, as a lookup checks them.
     */
    private record LastCall(Signature signature, Program program) {}

    private Program lookup(Signature sig) {
        synchronized (cache) {
            Program p = cache.get(sig);
            if (p != null && !p.variablesMatch()) {
                cache.remove(sig);
                return null;
            }
            return p;
        }
    }

    private Program compile(Signature sig, Tensor[] args) {
        long kernelsBefore = KernelCache.generated();
        Compiler.Result r = Compiler.compile(fn, args);
        String reason = sig.differenceFrom(last);
        boolean batchOnly = options.isDynamicBatch() && last != null && sig.onlyBatchChanged(last);
        if (last != null) {
            log((batchOnly ? "re-planned for a new batch size (dynamic): " : "recompiling: ") + reason
                    + " (" + (KernelCache.generated() - kernelsBefore) + " kernels generated)");
        }
        // Decided on the first program traced with a batch of 2 or more: at batch 1 the batch digit of
        // a merged axis cannot be told apart from the axis' other factors (the function gets exact
        // programs until then).
        int n = batchOf(args);
        if (options.isDynamicBatch() && rowWise == null && n != 1) {
            rowWise = n > 0 && RowIndependence.holds(r.program().graph(), n, batched(args, n));
        }
        if (Debug.level() >= 1) {
            System.err.printf("[javelin-jit] compiled %d steps (%d kernels) in %.1f ms%n", r.program().steps().size(),
                    r.program().kernelCount(), r.nanos() / 1e6);
        }
        synchronized (cache) {
            cache.put(sig, r.program());
        }
        last = sig;
        compilations++;
        lastCompileNanos = r.nanos();
        return r.program();
    }

    /**
     * Gives back now the device memory this function's compiled programs hold (their device copies of
     * the traced constants) and forgets the programs, so that a later call compiles again. The
     * arguments, results and variables are the caller's: release those with {@link Tensor#release}
     * and {@link Variable#release}. Call it when no call of this function is running.
     *
     * <pre>{@code
     * CompiledFunction step = Jit.compile(fn);
     * ... train on the GPU ...
     * step.release();                   // with the weights' Variable.release: the memory is back in the allocator
     * }</pre>
     */
    public void release() {
        synchronized (compileLock) {
            List<Program> programs;
            synchronized (cache) {
                programs = new ArrayList<>(cache.values());
                cache.clear();
            }
            lastCall = null;
            last = null;
            for (Program p : programs) p.release();
        }
    }

    /** Programs built by this function (each new signature builds one). */
    public long compilations() {
        return compilations;
    }

    /** Time of the most recent compilation (trace, optimize, plan, generate), in nanoseconds. */
    public long lastCompileNanos() {
        return lastCompileNanos;
    }

    /**
     * One line per compilation after the first: which argument changed, as {@code TORCH_LOGS=recompiles}
     * prints. The most recent {@value #REASONS_KEPT} are kept; {@link #droppedReasons()} counts older ones.
     */
    public List<String> recompileReasons() {
        synchronized (recompileReasons) {
            return List.copyOf(recompileReasons);
        }
    }

    /** Recompilation reasons no longer kept by {@link #recompileReasons()}. */
    public long droppedReasons() {
        synchronized (recompileReasons) {
            return droppedReasons;
        }
    }

    /** Whether a dynamic batch is served from padded power-of-two programs (see the class comment); false until decided. */
    public boolean padsBatch() {
        return Boolean.TRUE.equals(rowWise);
    }

    private void log(String line) {
        synchronized (recompileReasons) {
            if (recompileReasons.size() == REASONS_KEPT) {
                recompileReasons.removeFirst();
                droppedReasons++;
            }
            recompileReasons.addLast(line);
        }
        if (Debug.level() >= 1) System.err.println("[javelin-jit] " + line);
    }

    /** The options this function was compiled with. */
    public JitOptions options() {
        return options;
    }
}
