package dev.javelin.perf.jit;

import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;

/** Row softmax over 4096 x 4096: eager Javelin, compiled, and a hand-fused Vector API loop. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JitSoftmaxBench {
    static final int R = 4096, C = 4096;

    @Param({"2"})
    public int threads;

    Tensor x;
    CompiledFunction compiled;

    @Setup
    public void setup() {
        CpuThreads.setThreads(threads);
        x = Tensors.of(JitElementwiseBench.values(7), R, C).mul(4.0);
        compiled = Jit.compile(t -> new Tensor[] {NN.softmax(t[0], 1)});
    }

    @Benchmark
    public Tensor eager() {
        return NN.softmax(x, 1);
    }

    @Benchmark
    public Tensor compiled() {
        return compiled.call(x)[0];
    }

    @Benchmark
    public float[] handFused() {
        float[] in = ((HeapStorage) x.storage()).floats();
        float[] out = new float[R * C]; // a new result, as the compiled function returns
        CpuThreads.parallelFor(R, 8, (from, to) -> {
            for (int r = from; r < to; r++) row(in, out, r * C);
        });
        return out;
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Three passes over a row that stays in cache: max, exp and sum (storing exp), scale. */
    static void row(float[] in, float[] out, int off) {
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < C; j += S.length()) mx = mx.max(FloatVector.fromArray(S, in, off + j));
        float m = mx.reduceLanes(VectorOperators.MAX);
        FloatVector sum = FloatVector.zero(S);
        for (int j = 0; j < C; j += S.length()) {
            FloatVector e = FloatVector.fromArray(S, in, off + j).sub(m).lanewise(VectorOperators.EXP);
            e.intoArray(out, off + j);
            sum = sum.add(e);
        }
        float inv = 1f / sum.reduceLanes(VectorOperators.ADD);
        for (int j = 0; j < C; j += S.length()) FloatVector.fromArray(S, out, off + j).mul(inv).intoArray(out, off + j);
    }
}
