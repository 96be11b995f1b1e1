package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backends;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A compiled program runs its contractions (matmul, convolution, with or without an epilogue) on
 * the backend selected for their device, never on a kernel of its own: under
 * {@code -Djavelin.backend=reference} (here {@code Backends.prefer("reference")}) it gives the
 * reference backend's bits. The reference accumulates in float64 and the cpu-vector GEMM in float32,
 * so their results differ in the last bits, which is what lets the test tell them apart; the
 * epilogues here (bias, relu) round the same on both.
 */
class ContractionBackendTest {
    private static final Function<Tensor[], Tensor[]> NET = a -> {
        Tensor h = a[0].matmul(a[1]).add(a[2]).relu();                                       // matmul with an epilogue
        Tensor y = h.matmul(a[3]);                                                           // matmul on its own
        Tensor c = NN.conv2d(a[4], a[5], new int[] {1, 1}, "same", new int[] {1, 1}, 1).add(a[6]).relu(); // convolution with an epilogue
        Tensor batched = a[7].matmul(a[8]);                                                  // a batch of matmuls
        return new Tensor[] {y, c, batched};
    };

    private static Tensor[] args() {
        return new Tensor[] {
            TestTensors.uniform(Shape.of(37, 129), 1L), TestTensors.uniform(Shape.of(129, 23), 2L), TestTensors.uniform(Shape.of(23), 3L),
            TestTensors.uniform(Shape.of(23, 11), 4L),
            TestTensors.uniform(Shape.of(2, 9, 7, 5), 5L), TestTensors.uniform(Shape.of(3, 3, 5, 6), 6L), TestTensors.uniform(Shape.of(6), 7L),
            TestTensors.uniform(Shape.of(3, 17, 65), 8L), TestTensors.uniform(Shape.of(3, 65, 13), 9L)};
    }

    @AfterEach
    void restoreBackend() {
        Backends.prefer(null);
    }

    @Test
    void contractionsRunOnTheSelectedBackendBitForBit() {
        Tensor[] args = args();
        String plan = Jit.explain(NET, args);
        assertEquals(2, plan.lines().filter(l -> l.strip().startsWith("epilogue: ")).count(), "the matmul's and the convolution's epilogues:\n" + plan);
        CompiledFunction f = Jit.compile(NET);
        Tensor[] fastEager = NET.apply(args);
        Tensor[] fastCompiled = f.call(args);
        Backends.prefer("reference");
        Tensor[] referenceEager = NET.apply(args);
        Tensor[] referenceCompiled = f.call(args); // the same program: which backend runs a contraction is looked up when it runs
        Tensor[] referenceFresh = Jit.compile(NET).call(args);
        assertEquals(1, f.compilations(), "switching the backend needs no new program");
        for (int i = 0; i < fastEager.length; i++) {
            float[] ref = referenceEager[i].toFloatArray(), fast = fastEager[i].toFloatArray();
            assertFalse(Arrays.equals(ref, fast), "output " + i + ": the two backends must round differently for this test to tell them apart");
            assertArrayEquals(ref, referenceCompiled[i].toFloatArray(), "output " + i + " compiled under the reference backend");
            assertArrayEquals(ref, referenceFresh[i].toFloatArray(), "output " + i + " compiled afresh under the reference backend");
            assertArrayEquals(fast, fastCompiled[i].toFloatArray(), "output " + i + " compiled under cpu-vector");
        }
        assertTrue(Backends.forDevice(dev.javelin.tensor.Device.CPU).name().equals("reference"));
    }

    /**
     * A convolution whose filter is a captured constant keeps what the backend derives from it
     * (Winograd's transformed filter, {@code ConstantOperand}) across calls: every call still gives
     * the eager bits, for a dense filter and for one seen through a permute (a view of a constant).
     */
    @Test
    void aCapturedFilterGivesTheEagerBitsOnEveryCall() {
        Tensor hwio = TestTensors.uniform(Shape.of(3, 3, 24, 20), 10L);
        Tensor oihw = TestTensors.uniform(Shape.of(20, 24, 3, 3), 11L);
        Function<Tensor[], Tensor[]> net = a -> new Tensor[] {
            NN.conv2d(a[0], hwio, new int[] {1, 1}, "same", new int[] {1, 1}, 1).relu(),
            NN.conv2d(a[0], oihw.permute(2, 3, 1, 0), new int[] {1, 1}, "same", new int[] {1, 1}, 1)};
        CompiledFunction f = Jit.compile(net);
        for (long seed = 20; seed < 23; seed++) {
            Tensor[] x = {TestTensors.uniform(Shape.of(1 + (int) (seed % 2), 7, 9, 24), seed)};
            Tensor[] eager = net.apply(x), compiled = f.call(x);
            for (int i = 0; i < eager.length; i++) {
                assertArrayEquals(eager[i].toFloatArray(), compiled[i].toFloatArray(), "call with seed " + seed + ", output " + i);
            }
        }
    }
}
