package dev.javelin.perf.javelin;

import dev.javelin.autodiff.GradientTape;
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

/**
 * One conv layer of the MNIST convnet, forward and both backward passes (input and filter
 * gradients, upstream gradient of ones), through the public API: {@link NN#conv2d} (NHWC, HWIO)
 * under a {@link GradientTape}, eager.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvBench {
    @Param({"conv1", "conv2"})
    public String layer;

    @Param({"1", "2"})
    public int threads;

    private Tensor x, w;

    @Setup
    public void setUp() {
        CpuThreads.setThreads(threads);
        Workloads.ConvLayer l = Workloads.conv(layer);
        x = Tensors.of(Workloads.random(l.batch() * l.height() * l.width() * l.inChannels(), 6),
                l.batch(), l.height(), l.width(), l.inChannels());
        w = Tensors.of(Workloads.random(l.kernel() * l.kernel() * l.inChannels() * l.outChannels(), 7),
                l.kernel(), l.kernel(), l.inChannels(), l.outChannels());
    }

    @Benchmark
    public Tensor[] trainStep() {
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x, w);
            Tensor y = NN.conv2d(x, w, 1, "valid");
            return tape.gradient(y, x, w);
        }
    }
}
