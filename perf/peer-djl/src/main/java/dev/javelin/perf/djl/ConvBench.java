package dev.javelin.perf.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
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

/**
 * One conv layer of the MNIST convnet, forward and both backward passes (input and filter
 * gradients, upstream gradient of ones), libtorch through DJL (NCHW, its native layout).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvBench {
    @Param({"conv1", "conv2"})
    public String layer;

    @Param({"1", "2"})
    public int threads;

    private NDManager manager;
    private NDArray x, w;

    @Setup
    public void setUp() {
        manager = DjlSetup.start(threads);
        Workloads.ConvLayer l = Workloads.conv(layer);
        x = manager.create(Workloads.random(l.batch() * l.inChannels() * l.height() * l.width(), 6),
                new Shape(l.batch(), l.inChannels(), l.height(), l.width()));
        w = manager.create(Workloads.random(l.outChannels() * l.inChannels() * l.kernel() * l.kernel(), 7),
                new Shape(l.outChannels(), l.inChannels(), l.kernel(), l.kernel()));
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
    }

    @Benchmark
    public float trainStep() {
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector();
             NDManager scope = manager.newSubManager()) {
            NDArray y = Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow();
            y.attach(scope);
            gc.backward(y);
            return w.getGradient().getFloat(0, 0, 0, 0) + x.getGradient().getFloat(0, 0, 0, 0);
        }
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }
}
