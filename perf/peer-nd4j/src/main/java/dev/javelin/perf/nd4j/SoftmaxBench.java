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
import org.nd4j.linalg.ops.transforms.Transforms;

/** Softmax over the last axis of a 4096×4096 matrix through ND4J. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SoftmaxBench {
    @Param({"1", "2"})
    public int threads;

    private INDArray x;

    @Setup
    public void setUp() {
        Nd4jSetup.start(threads);
        x = Nd4j.create(Workloads.random(Workloads.SOFTMAX_ROWS * Workloads.SOFTMAX_COLS, 4),
                new long[] {Workloads.SOFTMAX_ROWS, Workloads.SOFTMAX_COLS}, DataType.FLOAT);
    }

    @Benchmark
    public INDArray softmax() {
        return Transforms.softmax(x, true);
    }
}
