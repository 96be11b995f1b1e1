package dev.javelin.perf.nd4j;

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
import org.openjdk.jmh.annotations.Warmup;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** OpenBLAS SGEMM through ND4J, row-major C = A·B into a preallocated C, on {@link Workloads#GEMM_SHAPES}. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SgemmBench {
    @Param({"256", "512", "1024", "2048", "128x784x512"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private INDArray a, b, c;

    @Setup
    public void setUp() {
        Nd4jSetup.start(threads);
        int[] s = Workloads.gemmShape(shape);
        a = Nd4j.create(Workloads.random(s[0] * s[1], 1), new long[] {s[0], s[1]}, DataType.FLOAT);
        b = Nd4j.create(Workloads.random(s[1] * s[2], 2), new long[] {s[1], s[2]}, DataType.FLOAT);
        c = Nd4j.create(DataType.FLOAT, s[0], s[2]);
    }

    @Benchmark
    public INDArray sgemm() {
        return Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    }
}
