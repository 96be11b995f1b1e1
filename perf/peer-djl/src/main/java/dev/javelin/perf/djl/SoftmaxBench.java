package dev.javelin.perf.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.javelin.perf.Workloads;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Softmax over the last axis of a 4096×4096 matrix, libtorch through DJL. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SoftmaxBench {
    @Param({"1", "2"})
    public int threads;

    private NDManager manager;
    private NDArray x;

    @Setup
    public void setUp() {
        manager = DjlSetup.start(threads);
        x = manager.create(Workloads.random(Workloads.SOFTMAX_ROWS * Workloads.SOFTMAX_COLS, 4),
                new Shape(Workloads.SOFTMAX_ROWS, Workloads.SOFTMAX_COLS));
    }

    @Benchmark
    public long softmax() {
        try (NDArray y = x.softmax(1)) {
            return y.size();
        }
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }
}
