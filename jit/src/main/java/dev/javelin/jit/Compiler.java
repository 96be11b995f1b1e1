package dev.javelin.jit;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.passes.Passes;
import dev.javelin.jit.plan.Lowering;
import dev.javelin.jit.plan.PlanStep;
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
        long start = System.nanoTime();
        Graph g = Tracer.trace(fn, args);
        TRACES.incrementAndGet();
        String before = g.toString();
        List<String> applied = Passes.optimize(g);
        String after = g.toString();
        List<PlanStep> steps = Lowering.plan(g);
        Program p = new Program(g, steps);
        COMPILATIONS.incrementAndGet();
        return new Result(p, before, applied, after, System.nanoTime() - start);
    }
}
