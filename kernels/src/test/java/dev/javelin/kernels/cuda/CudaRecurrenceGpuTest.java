package dev.javelin.kernels.cuda;

import static dev.javelin.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.kernels.cuda.ptx.PtxasAssert;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RECURRENCE and RECURRENCE_BACKWARD on the CUDA backend (the cell kernels rendered from
 * {@code RecurrentCells} as PTX, the per-step products on the device SGEMM) against the CPU backend:
 * every cell, odd sizes, batch 1 and one step, masks, both directions and time orders, recurrent
 * dropout, Keras's and other activations, time-major and transposed operands. The build runs it on
 * the emulated device (surefire execution {@code cuda-emulated}: the PTX in an interpreter), where
 * the sizes are kept small; every kernel it generated then goes through ptxas for sm_80 and sm_90.
 */
class CudaRecurrenceGpuTest {
    private static final Device GPU = Device.cuda(0);
    private final RandomTensors rnd = new RandomTensors(13);

    @BeforeEach
    void requireGpu() {
        Assumptions.assumeTrue(CudaBackend.probe(), () -> "no CUDA device: " + CudaBackend.unavailableReason());
    }

    /** {batch, steps, units, configuration}: 0 Keras's defaults forward; 1 reversed in time order with a mask; 2 reversed, dropout, other activations. */
    private static final int[][] TRIALS = {{3, 4, 5, 0}, {1, 1, 3, 1}, {2, 3, 4, 1}, {3, 3, 2, 2}};

    @Test
    void everyCellForwardAndBackwardMatchesTheCpu() {
        long hostBefore = CudaBackend.hostRuns(Op.RECURRENCE) + CudaBackend.hostRuns(Op.RECURRENCE_BACKWARD);
        for (Cell cell : Cell.values()) {
            for (int[] trial : TRIALS) check(cell, trial[0], trial[1], trial[2], trial[3]);
        }
        assertEquals(hostBefore, CudaBackend.hostRuns(Op.RECURRENCE) + CudaBackend.hostRuns(Op.RECURRENCE_BACKWARD),
                "the recurrent loops ran on the device, none on the host");
        List<String> entries = CudaBackend.isEmulated() ? PtxCache.entries().entrySet().stream()
                .filter(e -> e.getKey().startsWith("S_")).map(java.util.Map.Entry::getValue).toList() : List.of();
        if (CudaBackend.isEmulated()) {
            assertTrue(entries.size() >= 2 * Cell.values().length, "the cells' kernels were generated: " + entries.size());
            PtxasAssert.assemble("recurrence cells", entries);
        }
    }

    private void check(Cell cell, int n, int steps, int u, int config) {
        String label = cell + " n=" + n + " T=" + steps + " u=" + u + " config " + config;
        int width = cell.gates() * u;
        boolean dropout = config == 2;
        OpAttrs.Recurrence attrs = switch (config) {
            case 0 -> new OpAttrs.Recurrence(cell, false, false);
            case 1 -> new OpAttrs.Recurrence(cell, true, true);
            default -> new OpAttrs.Recurrence(cell, true, false, Activation.RELU, Activation.HARD_SIGMOID, true);
        };
        Tensor x = rnd.uniform(Shape.of(n, steps, width), DType.FLOAT32, -1.5, 1.5);
        Tensor w = rnd.uniform(Shape.of(u, width), DType.FLOAT32, -0.6, 0.6);
        List<Tensor> operands = new ArrayList<>();
        for (int p = 0; p < cell.parameters(); p++) operands.add(rnd.uniform(Shape.of(width), DType.FLOAT32, -1, 1));
        List<Tensor> stateRows = new ArrayList<>(); // config 2: initial states broadcast from one row
        for (int p = 0; p < cell.states(); p++) {
            Tensor row = rnd.uniform(Shape.of(dropout ? 1 : n, u), DType.FLOAT32, -1, 1);
            stateRows.add(row);
            operands.add(Ops.expand(row, Shape.of(n, u)));
        }
        if (dropout) operands.add(rnd.uniform(Shape.of(n, width), DType.FLOAT32, 0, 2));
        Tensor mask = config == 1 ? rnd.uniform(Shape.of(n, steps), DType.BOOL, 0, 1) : null;

        Tensor expected = SequenceOps.recurrence(x, w, operands, mask, attrs);
        Tensor g = rnd.uniform(expected.shape(), DType.FLOAT32, -1, 1);
        Tensor expectedGrads = SequenceOps.recurrenceBackward(w, operands, mask, expected, g, attrs);

        // on the device: x time-major (a permuted view), w transposed in memory, the rest dense
        Tensor xg = Ops.permute(Ops.permute(x, 1, 0, 2).to(GPU).contiguous(), 1, 0, 2);
        Tensor wg = Ops.permute(Ops.permute(w, 1, 0).to(GPU).contiguous(), 1, 0);
        List<Tensor> og = new ArrayList<>(operands.stream().map(t -> t.to(GPU)).toList());
        for (int p = 0; p < cell.states(); p++) og.set(cell.parameters() + p, Ops.expand(stateRows.get(p).to(GPU), Shape.of(n, u)));
        Tensor mg = mask == null ? null : mask.to(GPU);
        Tensor actual = SequenceOps.recurrence(xg, wg, og, mg, attrs);
        assertEquals(GPU, actual.device(), label);
        Tensor actualGrads = SequenceOps.recurrenceBackward(wg, og, mg, expected.to(GPU), g.to(GPU), attrs);
        try {
            assertClose(expected, actual.to(Device.CPU), 1e-4, 1e-5);
            assertClose(expectedGrads, actualGrads.to(Device.CPU), 1e-4, 1e-4);
        } catch (AssertionError e) {
            throw new AssertionError(label + ": " + e.getMessage(), e);
        }
    }
}
