package dev.javelin.jit;

import dev.javelin.jit.cpu.KernelCache;
import dev.javelin.jit.runtime.Program;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Debug;
import dev.javelin.tensor.spi.Dispatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A function compiled by {@link Jit#compile}: one cached program per signature (the shapes, dtypes
 * and devices of the arguments). The first call with a signature traces, optimizes and generates
 * code; later calls only run. Safe to call from several threads.
 *
 * <pre>{@code
 * CompiledFunction f = Jit.compile(a -> new Tensor[] {a[0].mul(a[1]).add(1.0).tanh()});
 * Tensor y = f.call(x, w)[0];
 * }</pre>
 */
public final class CompiledFunction {
    private final Function<Tensor[], Tensor[]> fn;
    private final JitOptions options;
    private final Map<Signature, Program> cache;
    private final Object compileLock = new Object();
    private final List<String> recompileReasons = Collections.synchronizedList(new ArrayList<>());
    private volatile Signature last;
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
        if (!Dispatch.observers().isEmpty()) return fn.apply(args);
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
        return programFor(args).run(args, out);
    }

    private Program programFor(Tensor[] args) {
        Signature sig = Signature.of(args);
        Program p = lookup(sig);
        if (p == null) {
            synchronized (compileLock) {
                p = lookup(sig);
                if (p == null) p = compile(sig, args);
            }
        } else {
            Compiler.CACHE_HITS.incrementAndGet();
        }
        return p;
    }

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
        boolean batchOnly = options.isDynamicBatch() && last != null && onlyBatchChanged(sig, last);
        if (last != null) {
            String line = (batchOnly ? "re-planned for a new batch size (dynamic): " : "recompiling: ") + reason
                    + " (" + (KernelCache.generated() - kernelsBefore) + " kernels generated)";
            recompileReasons.add(line);
            if (Debug.level() >= 1) System.err.println("[javelin-jit] " + line);
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

    private static boolean onlyBatchChanged(Signature now, Signature before) {
        if (now.args().size() != before.args().size()) return false;
        for (int i = 0; i < now.args().size(); i++) {
            String a = now.args().get(i), b = before.args().get(i);
            if (!a.replaceFirst("\\[\\d+", "[?").equals(b.replaceFirst("\\[\\d+", "[?"))) return false;
        }
        return true;
    }

    /** Programs built by this function (each new signature builds one). */
    public long compilations() {
        return compilations;
    }

    /** Time of the most recent compilation (trace, optimize, plan, generate), in nanoseconds. */
    public long lastCompileNanos() {
        return lastCompileNanos;
    }

    /** One line per compilation after the first: which argument changed, as {@code TORCH_LOGS=recompiles} prints. */
    public List<String> recompileReasons() {
        synchronized (recompileReasons) {
            return List.copyOf(recompileReasons);
        }
    }

    /** The options this function was compiled with. */
    public JitOptions options() {
        return options;
    }
}
