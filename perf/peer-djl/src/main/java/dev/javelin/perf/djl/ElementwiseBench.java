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

/** The elementwise chain {@code relu(x·2 + 1)} over 16M floats as a PyTorch user writes it (three ops). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ElementwiseBench {
    @Param({"1", "2"})
    public int threads;

    private NDManager manager;
    private NDArray x;

    @Setup
    public void setUp() {
        manager = DjlSetup.start(threads);
        x = manager.create(Workloads.random(Workloads.STREAM_LENGTH, 5), new Shape(Workloads.STREAM_LENGTH));
    }

    @Benchmark
    public long chain() {
        try (NDArray t = x.mul(2f); NDArray u = t.add(1f); NDArray y = u.maximum(0f)) {
            return y.size();
        }
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }
}
