package dev.javelin.perf.javelin;

import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.kernels.cpu.gemm.Sgemm;
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

/**
 * A guard for edge tiles: the MNIST convnet's conv2 as im2col GEMM (7744×288·288×64, full tiles)
 * measured in a JVM that first ran edge-tile products (10 output columns, 9 rows), as training
 * does every step. Compare {@code fullAfterEdges} with {@code fullOnly}: an edge call must not slow
 * later full-tile products. Run by hand:
 * {@code perf/run.sh --quick SgemmEdge} (Javelin only).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SgemmEdgeBench {
    @Param({"1", "2"})
    public int threads;

    private final float[] a = Workloads.random(7744 * 288, 1), b = Workloads.random(288 * 64, 2), c = new float[7744 * 64];

    @Setup
    public void setUp() {
        CpuThreads.setThreads(threads);
    }

    private void edges() {
        float[] x = Workloads.random(128 * 784, 3), w = Workloads.random(784 * 10, 4), y = new float[128 * 10];
        for (int i = 0; i < 20; i++) {
            Sgemm.multiply(128, 10, 784, x, 0, 784, 1, w, 0, 10, 1, y, 0, 10, false);
            Sgemm.multiply(9, 33, 100, x, 0, 100, 1, w, 0, 33, 1, y, 0, 33, true);
        }
    }

    @Benchmark
    public float[] fullOnly() {
        Sgemm.multiply(7744, 64, 288, a, 0, 288, 1, b, 0, 64, 1, c, 0, 64, false);
        return c;
    }

    /** State whose setup runs the edge products once per fork, before any measured call. */
    @State(Scope.Benchmark)
    public static class AfterEdges {
        @Setup
        public void setUp(SgemmEdgeBench bench) {
            CpuThreads.setThreads(bench.threads);
            bench.edges();
        }
    }

    @Benchmark
    public float[] fullAfterEdges(AfterEdges edgesFirst) {
        Sgemm.multiply(7744, 64, 288, a, 0, 288, 1, b, 0, 64, 1, c, 0, 64, false);
        return c;
    }
}
