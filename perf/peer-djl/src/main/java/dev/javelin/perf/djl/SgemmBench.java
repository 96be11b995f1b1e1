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

/** libtorch's matmul (MKL SGEMM) through DJL, on {@link Workloads#GEMM_SHAPES}. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SgemmBench {
    @Param({"256", "512", "1024", "2048", "128x784x512"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private NDManager manager;
    private NDArray a, b;

    @Setup
    public void setUp() {
        manager = DjlSetup.start(threads);
        int[] s = Workloads.gemmShape(shape);
        a = manager.create(Workloads.random(s[0] * s[1], 1), new Shape(s[0], s[1]));
        b = manager.create(Workloads.random(s[1] * s[2], 2), new Shape(s[1], s[2]));
    }

    @Benchmark
    public long sgemm() {
        try (NDArray c = a.matMul(b)) {
            return c.size();
        }
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }
}
