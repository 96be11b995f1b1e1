package dev.javelin.jit;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.passes.Passes;
import dev.javelin.jit.plan.Plan;
import dev.javelin.jit.plan.Planner;
import dev.javelin.jit.runtime.Program;
import dev.javelin.tensor.Tensor;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** The pipeline behind a cache miss: trace, optimize, plan, bind kernels. */
final class Compiler {
    static final AtomicLong TRACES = new AtomicLong();
    static final AtomicLong COMPILATIONS = new AtomicLong();
    static final AtomicLong CACHE_HITS = new AtomicLong();

    private Compiler() {}

    /** The result of one compilation, with what {@link Jit#explain} shows. */
    record Result(Program program, String before, List<String> passes, String after, long nanos) {}

    static Result compile(Function<Tensor[], Tensor[]> fn, Tensor[] args) {
        return compile(fn, args, false);
    }

    /**
     * With {@code explain} the result also holds the graph as text before and after the passes; a
     * plain compilation skips that (printing a few hundred nodes cost tens of ms in a cold JVM).
     */
    static Result compile(Function<Tensor[], Tensor[]> fn, Tensor[] args, boolean explain) {
        long start = System.nanoTime();
        Graph g = Tracer.trace(fn, args);
        TRACES.incrementAndGet();
        long traced = System.nanoTime();
        String before = explain ? g.toString() : "";
        List<String> applied = Passes.optimize(g);
        String after = explain ? g.toString() : "";
        long optimized = System.nanoTime();
        Plan plan = Planner.plan(g);
        long planned = System.nanoTime();
        if (dev.javelin.tensor.spi.Debug.level() >= 1) for (String d : plan.decisions()) System.err.println("[javelin-jit] plan: " + d);
        Program p = new Program(plan);
        COMPILATIONS.incrementAndGet();
        if (dev.javelin.tensor.spi.Debug.level() >= 1) {
            long end = System.nanoTime();
            System.err.printf("[javelin-jit] compile: trace %.1f ms, optimize %.1f ms, plan %.1f ms, kernels %.1f ms (%d nodes)%n",
                    (traced - start) / 1e6, (optimized - traced) / 1e6, (planned - optimized) / 1e6, (end - planned) / 1e6,
                    g.nodes().size());
        }
        return new Result(p, before, applied, after, System.nanoTime() - start);
    }
}
