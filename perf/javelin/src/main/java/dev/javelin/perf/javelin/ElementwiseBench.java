package dev.javelin.perf.javelin;

import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.CpuThreads;
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
 * The elementwise chain {@code relu(x·2 + 1)} over 16M floats through the public API: eager (three
 * kernels, three passes over memory), compiled with {@link Jit} (fused into one pass) returning a
 * new tensor, and compiled writing into a preallocated tensor ({@code callInto}, PyTorch's
 * {@code out=}), which moves the same bytes as {@link CopyBench}'s copy into its preallocated array.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ElementwiseBench {
    @Param({"1", "2"})
    public int threads;

    private Tensor x, y;
    private CompiledFunction fused;

    @Setup
    public void setUp() {
        CpuThreads.setThreads(threads);
        x = Tensors.of(Workloads.random(Workloads.STREAM_LENGTH, 5), Workloads.STREAM_LENGTH);
        fused = Jit.compile(args -> new Tensor[] {chain(args[0])});
        y = Tensors.zeros(x.shape(), x.dtype());
    }

    private static Tensor chain(Tensor t) {
        return t.mul(2).add(1).relu();
    }

    @Benchmark
    public Tensor chain() {
        return chain(x);
    }

    @Benchmark
    public Tensor chainJit() {
        return fused.call(x)[0];
    }

    @Benchmark
    public Tensor chainJitInto() {
        return fused.callInto(new Tensor[] {y}, x)[0];
    }
}
