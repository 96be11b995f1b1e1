package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.Backend;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code Backend.contractWithColumnSums}, a weight gradient {@code xᵀ·dY} with its bias gradient (dY summed over its
 * rows) from one GEMM: on the cpu-vector backend the product has {@code execute}'s bits and the sums those of a loop
 * adding B's rows in order, both close to the reference backend's; on the reference backend (the SPI's default) both
 * are its own {@code execute} bits. Random shapes (odd, 1, empty), B dense, transposed, strided, whatever the outputs held.
 */
class ContractWithColumnSumsTest {
    private final KernelHarness h = new KernelHarness();

    @Test
    void productAndColumnSumsMatchTheirOwnOpsAndTheReference() {
        int[][] mkn = {{1, 1, 1}, {7, 13, 5}, {37, 129, 23}, {128, 1100, 128}, {300, 600, 70}, {64, 513, 33}, {5, 0, 4}, {0, 9, 6}, {3, 4, 0}};
        for (int[] s : mkn) {
            int m = s[0], k = s[1], n = s[2];
            for (KernelHarness.Layout layout : List.of(KernelHarness.Layout.DENSE, KernelHarness.Layout.TRANSPOSED, KernelHarness.Layout.STRIDED)) {
                Tensor a = h.random(DType.FLOAT32, Shape.of(m, k), h.rng.nextBoolean() ? KernelHarness.Layout.TRANSPOSED : KernelHarness.Layout.DENSE, -1, 1);
                Tensor b = h.random(DType.FLOAT32, Shape.of(k, n), layout, -1, 1);
                OpCall call = new OpCall(Op.MATMUL, List.of(a, b), OpAttrs.NONE, Shape.of(m, n), DType.FLOAT32, Device.CPU);
                String what = "seed " + KernelHarness.SEED + ": " + m + "x" + k + "·" + k + "x" + n + " B " + layout;
                float[] rowByRow = new float[n];
                for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) rowByRow[j] += (float) b.get(p, j);
                OpCall sumCall = new OpCall(Op.REDUCE_SUM, List.of(b), new OpAttrs.Reduce(new int[] {0}, true), Shape.of(1, n), DType.FLOAT32, Device.CPU);
                for (Backend backend : List.of(h.cpu, h.reference)) {
                    Tensor out = Tensors.full(Shape.of(m, n), Double.NaN, DType.FLOAT32), sums = Tensors.full(Shape.of(n), Double.NaN, DType.FLOAT32);
                    backend.contractWithColumnSums(call, out, null, sums);
                    assertArrayEquals(KernelHarness.run(backend, call).toFloatArray(), out.toFloatArray(), what + ": the product on " + backend.name());
                    Tensor ownSum = KernelHarness.run(backend, sumCall);
                    if (backend == h.cpu) {
                        assertArrayEquals(rowByRow, sums.toFloatArray(), what + ": the sums, row after row");
                        h.assertClose(call, KernelHarness.run(h.reference, call), out);
                        h.assertClose(sumCall, KernelHarness.run(h.reference, sumCall), sums.reshape(1, n));
                    } else {
                        assertArrayEquals(ownSum.toFloatArray(), sums.toFloatArray(), what + ": the sums on " + backend.name());
                    }
                }
            }
        }
    }

    @Test
    void aCallThatIsNotOneMatrixProductIsRefusedByName() {
        Tensor a = Tensors.zeros(Shape.of(2, 3, 4), DType.FLOAT32), b = Tensors.zeros(Shape.of(2, 4, 5), DType.FLOAT32);
        OpCall batched = new OpCall(Op.MATMUL, List.of(a, b), OpAttrs.NONE, Shape.of(2, 3, 5), DType.FLOAT32, Device.CPU);
        var e = assertThrows(IllegalArgumentException.class, () -> h.reference.contractWithColumnSums(batched,
                Tensors.zeros(Shape.of(2, 3, 5), DType.FLOAT32), null, Tensors.zeros(Shape.of(5), DType.FLOAT32)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("contractWithColumnSums") && e.getMessage().contains("[2, 4, 5]"), e.getMessage());
    }
}
