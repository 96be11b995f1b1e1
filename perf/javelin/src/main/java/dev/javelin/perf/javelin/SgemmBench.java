package dev.javelin.perf.javelin;

import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.kernels.cpu.gemm.Sgemm;
import dev.javelin.perf.Workloads;
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

/**
 * Javelin's SGEMM on {@link Workloads#GEMM_SHAPES}: the kernel itself ({@code sgemm}, row-major
 * C = A·B into a preallocated C) and through the public API ({@code matmul}, a fresh output tensor).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SgemmBench {
    @Param({"256", "512", "1024", "2048", "128x784x512"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int m, k, n;
    private float[] a, b, c;
    private Tensor ta, tb;

    @Setup
    public void setUp() {
        CpuThreads.setThreads(threads);
        int[] s = Workloads.gemmShape(shape);
        m = s[0];
        k = s[1];
        n = s[2];
        a = Workloads.random(m * k, 1);
        b = Workloads.random(k * n, 2);
        c = new float[m * n];
        ta = Tensors.of(a, m, k);
        tb = Tensors.of(b, k, n);
    }

    @Benchmark
    public float[] sgemm() {
        Sgemm.multiply(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
        return c;
    }

    @Benchmark
    public Tensor matmul() {
        return ta.matmul(tb);
    }
}
