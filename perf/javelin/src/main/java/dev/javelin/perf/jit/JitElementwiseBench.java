package dev.javelin.perf.jit;

import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;

/**
 * {@code y = tanh(x * a + b) * sigmoid(x)} over 16M floats (x, a, b full tensors): eager Javelin
 * (five ops, five passes over memory), the compiled function (one generated loop), and two
 * hand-written fused Vector API loop with the API's tanh and exp (SVML when compiled, whose bits
 * change with the JIT tier, so Javelin does not use it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JitElementwiseBench {
    static final int N = 1 << 24;
    static final Function<Tensor[], Tensor[]> FN = t -> new Tensor[] {t[0].mul(t[1]).add(t[2]).tanh().mul(t[0].sigmoid())};

    @Param({"2"})
    public int threads;

    Tensor x, a, b;
    CompiledFunction compiled;

    @Setup
    public void setup() {
        CpuThreads.setThreads(threads);
        x = Tensors.of(values(1), N);
        a = Tensors.of(values(2), N);
        b = Tensors.of(values(3), N);
        compiled = Jit.compile(FN);
    }

    static float[] values(int seed) {
        float[] v = new float[N];
        for (int i = 0; i < N; i++) v[i] = (float) (((i * 2654435761L + seed) % 2001) / 1000.0 - 1.0);
        return v;
    }

    @Benchmark
    public Tensor eager() {
        return FN.apply(new Tensor[] {x, a, b})[0];
    }

    @Benchmark
    public Tensor compiled() {
        return compiled.call(x, a, b)[0];
    }

    /** Allocates its result like the compiled function does (a function returns a new tensor). */
    @Benchmark
    public float[] handFused() {
        float[] y = new float[N];
        handFused(((HeapStorage) x.storage()).floats(), ((HeapStorage) a.storage()).floats(),
                ((HeapStorage) b.storage()).floats(), y);
        return y;
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** The reference: one pass, the same chunking over the same pool as generated kernels. */
    static void handFused(float[] x, float[] a, float[] b, float[] y) {
        CpuThreads.parallelFor(x.length, 1 << 15, (from, to) -> {
            int i = from;
            int bound = from + S.loopBound(to - from);
            FloatVector one = FloatVector.broadcast(S, 1f);
            for (; i < bound; i += S.length()) {
                FloatVector xv = FloatVector.fromArray(S, x, i);
                FloatVector t = xv.mul(FloatVector.fromArray(S, a, i)).add(FloatVector.fromArray(S, b, i)).lanewise(VectorOperators.TANH);
                FloatVector s = one.div(xv.neg().lanewise(VectorOperators.EXP).add(one));
                t.mul(s).intoArray(y, i);
            }
            for (; i < to; i++) y[i] = (float) (Math.tanh(x[i] * a[i] + b[i]) / (1 + Math.exp(-x[i])));
        });
    }
}
