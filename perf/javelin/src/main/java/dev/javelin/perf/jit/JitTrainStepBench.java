package dev.javelin.perf.jit;

import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.*;

/**
 * One Adam train step of an MLP 784-512-512-10 on a batch of 128 (forward, tape backward, update
 * on variables): eager Javelin against the whole step compiled into one program.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JitTrainStepBench {
    @Param({"2"})
    public int threads;

    Tensor[] batch;
    Function<Tensor[], Tensor[]> eager;
    CompiledFunction compiled;

    @Setup
    public void setup() {
        CpuThreads.setThreads(threads);
        batch = MlpTrainStep.batch(128, 1);
        eager = new MlpTrainStep(2).function();
        compiled = Jit.compile(new MlpTrainStep(2).function());
    }

    @Benchmark
    public Tensor eager() {
        return eager.apply(batch)[0];
    }

    @Benchmark
    public Tensor compiled() {
        return compiled.call(batch)[0];
    }
}
