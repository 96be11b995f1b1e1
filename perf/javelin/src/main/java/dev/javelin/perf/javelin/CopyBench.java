package dev.javelin.perf.javelin;

import dev.javelin.kernels.cpu.CpuThreads;
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
 * The machine's copy bandwidth through this harness: {@code System.arraycopy} of
 * {@link Workloads#STREAM_LENGTH} floats, split over the pool's threads. The ceiling the
 * elementwise chain is judged against (one read and one write per element, like the chain).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CopyBench {
    @Param({"1", "2"})
    public int threads;

    private float[] src, dst;

    @Setup
    public void setUp() {
        CpuThreads.setThreads(threads);
        src = Workloads.random(Workloads.STREAM_LENGTH, 3);
        dst = new float[Workloads.STREAM_LENGTH];
    }

    @Benchmark
    public float[] copy() {
        int len = src.length, grain = (len + threads - 1) / threads;
        CpuThreads.parallelFor(len, grain, (from, to) -> System.arraycopy(src, from, dst, from, to - from));
        return dst;
    }
}
