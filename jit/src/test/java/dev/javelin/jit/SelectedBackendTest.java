package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backends;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Under a backend that runs no generated kernels (the reference backend, {@code -Djavelin.backend=reference};
 * here a counting wrapper of it) a compiled program runs every op on that backend, one at a time:
 * no fused loop, row group or GEMM epilogue of the JIT's own, so its results are the backend's eager
 * bits. The fused cpu-vector results differ from the reference's in the last bits (float32 GEMM
 * accumulation, the decomposed tanh, sigmoid, exp and pow), which is what lets the test tell who computed.
 */
class SelectedBackendTest {
    /** A contraction with a bias and relu epilogue, one without, a row softmax (a row group), tanh * sigmoid, pow, a column sum. */
    private static final Function<Tensor[], Tensor[]> NET = a -> {
        Tensor y = a[0].matmul(a[1]).add(a[2]).relu().matmul(a[6]);
        Tensor e = y.sub(y.max(new int[] {1}, true)).exp();
        Tensor softmax = e.div(e.sum(new int[] {1}, true));
        Tensor chain = a[3].tanh().mul(a[3].sigmoid()).add(a[4].pow(a[5]));
        return new Tensor[] {softmax, chain, chain.sum(0)};
    };
    private static final List<Op> COMPUTED = List.of(Op.MATMUL, Op.ADD, Op.RELU, Op.REDUCE_MAX, Op.SUB, Op.EXP, Op.REDUCE_SUM, Op.DIV,
            Op.TANH, Op.SIGMOID, Op.MUL, Op.POW);

    private static Tensor[] args() {
        return new Tensor[] {
            TestTensors.uniform(Shape.of(33, 129), 1L), TestTensors.uniform(Shape.of(129, 47), 2L), TestTensors.uniform(Shape.of(47), 3L),
            TestTensors.uniform(Shape.of(61, 67), -4, 4, 4L), TestTensors.uniform(Shape.of(61, 67), 0.1, 3, 5L),
            TestTensors.uniform(Shape.of(61, 67), -3, 3, 6L), TestTensors.uniform(Shape.of(47, 29), 7L)};
    }

    @AfterEach
    void restoreBackend() {
        Backends.prefer(null);
        CountingReferenceBackend.reset();
    }

    @Test
    void aCompiledProgramRunsEveryOpOnTheSelectedBackend() {
        Tensor[] args = args();
        String fused = Jit.explain(NET, args);
        assertTrue(fused.contains("epilogue: "), "on cpu-vector the matmul keeps its fused epilogue:\n" + fused);
        CompiledFunction planned = Jit.compile(NET);
        Tensor[] fast = planned.call(args); // planned with generated kernels, then the backend is switched
        Backends.prefer(CountingReferenceBackend.NAME);
        assertEquals(CountingReferenceBackend.NAME, Backends.forDevice(dev.javelin.tensor.Device.CPU).name());
        Tensor[] reference = NET.apply(args);
        String plan = Jit.explain(NET, args);
        assertTrue(plan.contains("backend " + CountingReferenceBackend.NAME + " runs no generated kernels"), plan);
        assertTrue(plan.contains(" 0 generated kernels") && !plan.contains("epilogue: "), "no generated step:\n" + plan);
        for (CompiledFunction f : List.of(planned, Jit.compile(NET))) {
            CountingReferenceBackend.reset();
            Tensor[] compiled = f.call(args);
            Map<Op, Integer> executed = CountingReferenceBackend.executed();
            for (Op op : COMPUTED) assertTrue(executed.getOrDefault(op, 0) > 0, op + " ran on the selected backend: " + executed);
            for (int i = 0; i < reference.length; i++) {
                float[] ref = reference[i].toFloatArray();
                assertFalse(Arrays.equals(ref, fast[i].toFloatArray()), "output " + i + ": cpu-vector's fused bits must differ for the test to tell");
                assertArrayEquals(ref, compiled[i].toFloatArray(), "output " + i + ": the selected backend's eager bits");
            }
        }
        assertEquals(1, planned.compilations(), "switching the backend needs no new program");
    }
}
