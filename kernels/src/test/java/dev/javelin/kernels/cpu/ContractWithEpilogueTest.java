package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.Backend;
import dev.javelin.tensor.spi.Backends;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * {@code Backend.contract}, the seam compiled programs run contractions through, on the cpu-vector
 * backend (its own GEMM and convolution hand blocks over as they finish) and on the reference
 * backend (the default: compute, copy, one block): the result is {@code execute}'s bit for bit,
 * whatever {@code out} held before; the epilogue sees every element exactly once, already final.
 */
class ContractWithEpilogueTest {
    private final KernelHarness h = new KernelHarness();

    @Test
    void contractGivesExecutesBitsAndHandsEveryElementOverOnceWhenFinal() {
        for (Backend backend : List.of(Backends.all().stream().filter(b -> b instanceof CpuBackend).findFirst().orElseThrow(), Backends.reference())) {
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                check(backend, matmul(h.random(dt, Shape.of(37, 129), KernelHarness.Layout.DENSE, -1, 1),
                        h.random(dt, Shape.of(129, 23), KernelHarness.Layout.TRANSPOSED, -1, 1)));
                check(backend, matmul(h.random(dt, Shape.of(3, 17, 65), KernelHarness.Layout.DENSE, -1, 1),
                        h.random(dt, Shape.of(3, 65, 13), KernelHarness.Layout.DENSE, -1, 1)));
            }
            // several items and k blocks: the epilogue runs per item on its last k block (B packed, then B read in place)
            check(backend, matmul(h.random(DType.FLOAT32, Shape.of(260, 600), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(600, 270), KernelHarness.Layout.DENSE, -1, 1)));
            check(backend, matmul(h.random(DType.FLOAT32, Shape.of(150, 1030), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(1030, 300), KernelHarness.Layout.DENSE, -1, 1)));
            check(backend, matmul(h.random(DType.FLOAT32, Shape.of(1, 1), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(1, 300), KernelHarness.Layout.DENSE, -1, 1)));
            OpAttrs.Conv same3x3 = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1), pointwise = new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1);
            check(backend, conv(h.random(DType.FLOAT32, Shape.of(2, 9, 7, 5), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(3, 3, 5, 6), KernelHarness.Layout.DENSE, -1, 1), same3x3, Shape.of(2, 9, 7, 6)));
            check(backend, conv(h.random(DType.FLOAT32, Shape.of(2, 9, 7, 5), KernelHarness.Layout.DENSE, -1, 1),
                    h.random(DType.FLOAT32, Shape.of(1, 1, 5, 40), KernelHarness.Layout.DENSE, -1, 1), pointwise, Shape.of(2, 9, 7, 40)));
        }
    }

    private static OpCall matmul(Tensor a, Tensor b) {
        int[] dims = a.shape().toArray();
        dims[dims.length - 1] = b.dim(b.rank() - 1);
        Shape out = Shape.of(dims);
        return new OpCall(Op.MATMUL, List.of(a, b), OpAttrs.NONE, out, a.dtype(), Device.CPU);
    }

    static OpCall conv(Tensor x, Tensor f, OpAttrs.Conv attrs, Shape out) {
        return new OpCall(Op.CONV2D, List.of(x, f), attrs, out, x.dtype(), Device.CPU);
    }

    static void check(Backend backend, OpCall call) {
        int size = Math.toIntExact(call.shape().size());
        Tensor expected = Tensors.zeros(call.shape(), call.dtype());
        backend.execute(call, expected);
        Tensor out = Tensors.full(call.shape(), Double.NaN, call.dtype()); // a reused buffer holds anything
        int cols = call.shape().dim(call.shape().rank() - 1);
        double[] want = expected.toDoubleArray();
        AtomicIntegerArray seen = new AtomicIntegerArray(size);
        AtomicIntegerArray early = new AtomicIntegerArray(1);
        backend.contract(call, out, (row0, rows, col0, cols2) -> {
            double[] now = out.toDoubleArray();
            for (int i = row0; i < row0 + rows; i++) {
                for (int j = col0; j < col0 + cols2; j++) {
                    seen.incrementAndGet(i * cols + j);
                    if (Double.compare(now[i * cols + j], want[i * cols + j]) != 0) early.incrementAndGet(0);
                }
            }
        });
        String what = backend.name() + " " + call;
        assertArrayEquals(want, out.toDoubleArray(), what + ": contract gives execute's bits");
        for (int i = 0; i < size; i++) assertEquals(1, seen.get(i), what + ": element " + i + " handed to the epilogue once");
        assertEquals(0, early.get(0), what + ": the epilogue sees only final values");
    }
}
