package dev.javelin.perf.jit;

import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The first call of the compiled MLP train step in a fresh JVM: trace, optimize, plan, generate
 * and load every kernel, then run once. Single shot, one per fork, so nothing is warm.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 0)
@Measurement(iterations = 1)
public class JitFirstCallBench {
    @Param({"2"})
    public int threads;

    Tensor[] batch;
    MlpTrainStep model;

    @Setup
    public void setup() {
        CpuThreads.setThreads(threads);
        batch = MlpTrainStep.batch(128, 1);
        model = new MlpTrainStep(2);
    }

    @Benchmark
    public Tensor firstCall() {
        return Jit.compile(model.function()).call(batch)[0];
    }
}
