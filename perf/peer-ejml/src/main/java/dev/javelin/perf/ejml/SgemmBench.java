package dev.javelin.perf.ejml;

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
import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;

/** EJML's float32 dense multiply (pure Java; its concurrent variant at 2 threads) on {@link Workloads#GEMM_SHAPES}. */
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

    private FMatrixRMaj a, b, c;

    @Setup
    public void setUp() {
        EjmlConcurrency.setMaxThreads(threads);
        int[] s = Workloads.gemmShape(shape);
        a = FMatrixRMaj.wrap(s[0], s[1], Workloads.random(s[0] * s[1], 1));
        b = FMatrixRMaj.wrap(s[1], s[2], Workloads.random(s[1] * s[2], 2));
        c = new FMatrixRMaj(s[0], s[2]);
    }

    @Benchmark
    public FMatrixRMaj sgemm() {
        if (threads == 1) CommonOps_FDRM.mult(a, b, c);
        else CommonOps_MT_FDRM.mult(a, b, c);
        return c;
    }
}
