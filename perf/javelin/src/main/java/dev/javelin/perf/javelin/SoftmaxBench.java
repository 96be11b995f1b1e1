package dev.javelin.perf.javelin;

import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.perf.Workloads;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Softmax over the last axis of a 4096×4096 matrix through the public API ({@link NN#softmax}), eager. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SoftmaxBench {
    @Param({"1", "2"})
    public int threads;

    private Tensor x;

    @Setup
    public void setUp() {
        CpuThreads.setThreads(threads);
        x = Tensors.of(Workloads.random(Workloads.SOFTMAX_ROWS * Workloads.SOFTMAX_COLS, 4),
                Workloads.SOFTMAX_ROWS, Workloads.SOFTMAX_COLS);
    }

    @Benchmark
    public Tensor softmax() {
        return NN.softmax(x, 1);
    }
}
