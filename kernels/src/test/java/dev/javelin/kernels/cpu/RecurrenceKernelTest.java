package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The float32 RECURRENCE and RECURRENCE_BACKWARD kernels (LSTM, GRU) against the reference's
 * textbook loops in double: odd sizes (batch 1, one step, one unit), every operand layout (strided,
 * transposed, broadcast initial states and output gradients), masks with leading, trailing and inner
 * gaps, every direction (reverse, time order), and float64 (which runs the reference math).
 */
class RecurrenceKernelTest {
    private final KernelHarness h = new KernelHarness();
    private static final Activation[] OTHER_ACTIVATIONS = {Activation.RELU, Activation.SIGMOID, Activation.LINEAR, Activation.TANH};
    private static final Activation[] OTHER_GATES = {Activation.SIGMOID, Activation.TANH, Activation.HARD_SIGMOID, Activation.TANH};

    @Test
    void forwardAndBackwardOverRandomShapesMasksAndDirections() {
        int[][] sizes = {{1, 1, 1}, {3, 7, 5}, {2, 1, 17}, {5, 4, 9}, {1, 9, 3}, {33, 6, 20}, {4, 3, 40}, {7, 5, 1}};
        try (var s = Dispatch.use(h)) {
            for (Cell cell : Cell.values()) {
                for (int trial = 0; trial < sizes.length; trial++) {
                    int n = sizes[trial][0], steps = sizes[trial][1], u = sizes[trial][2], width = cell.gates() * u;
                    DType dt = trial == 3 ? DType.FLOAT64 : DType.FLOAT32;
                    Tensor x = h.random(dt, Shape.of(n, steps, width), h.anyLayout(), -1.5, 1.5);
                    Tensor w = h.random(dt, Shape.of(u, width), h.anyLayout(), -0.6, 0.6);
                    List<Tensor> operands = new ArrayList<>();
                    for (int p = 0; p < cell.parameters(); p++) operands.add(h.random(dt, Shape.of(width), h.anyLayout(), -1, 1));
                    for (int p = 0; p < cell.states(); p++) operands.add(h.random(dt, Shape.of(n, u), h.anyLayout(), -1, 1));
                    // Keras 3's recurrent dropout (a multiplier per gate) in every third trial
                    boolean dropout = trial % 3 == 1;
                    if (dropout) operands.add(h.random(dt, Shape.of(n, width), h.anyLayout(), 0, 2));
                    Tensor mask = trial % 2 == 1 ? h.random(DType.BOOL, Shape.of(n, steps), h.anyLayout(), 0, 1) : null;
                    // Keras's defaults (tanh, sigmoid) in half the trials, every other activation in the rest (with
                    // bounded gates: unbounded ones grow the states geometrically, beyond a float32 comparison)
                    var attrs = trial < 4 ? new OpAttrs.Recurrence(cell, trial % 3 != 0, trial % 4 == 1, Activation.TANH, Activation.SIGMOID, dropout)
                            : new OpAttrs.Recurrence(cell, trial % 3 != 0, trial % 4 == 1, OTHER_ACTIVATIONS[trial - 4],
                                    OTHER_GATES[trial - 4], dropout);
                    Tensor out = SequenceOps.recurrence(x, w, operands, mask, attrs);
                    Tensor g = h.random(dt, out.shape(), h.anyLayout(), -1, 1);
                    SequenceOps.recurrenceBackward(w, operands, mask, out, g, attrs);
                }
            }
        }
        assertEquals(2 * sizes.length * Cell.values().length, h.compared);
    }

    @Test
    void maskedStepsKeepTheStatesAndStepsLandWhereTheDirectionSays() {
        try (var s = Dispatch.use(h)) {
            for (Cell cell : Cell.values()) {
                int n = 2, steps = 4, u = 3;
                Tensor x = h.random(DType.FLOAT32, Shape.of(n, steps, cell.gates() * u), KernelHarness.Layout.DENSE, -1, 1);
                Tensor w = h.random(DType.FLOAT32, Shape.of(u, cell.gates() * u), KernelHarness.Layout.DENSE, -1, 1);
                List<Tensor> operands = new ArrayList<>();
                for (int p = 0; p < cell.parameters(); p++) operands.add(Ops.expand(Ops.scalarLike(x, 0.5), Shape.of(cell.gates() * u)));
                for (int p = 0; p < cell.states(); p++) operands.add(Ops.expand(Ops.scalarLike(x, 0.0), Shape.of(n, u)));
                boolean[] m = {true, false, true, false, false, false, false, false}; // example 1 is all padding
                Tensor mask = Tensor.wrap(boolHost(m), Shape.of(n, steps));
                int stateColumns = cell.states() * u;
                for (boolean reverse : new boolean[] {false, true}) {
                    Tensor out = SequenceOps.recurrence(x, w, operands, mask, new OpAttrs.Recurrence(cell, reverse, true));
                    for (int c = 0; c < stateColumns; c++) {
                        assertEquals(0.0, out.get(1, 2, c), cell + ": a fully padded example keeps its zero states");
                        // in time order, step 1 (masked) holds the state after step 0 going forward, after step 2 going backward
                        assertEquals(out.get(0, reverse ? 2 : 0, c), out.get(0, 1, c), cell + " column " + c);
                    }
                    assertTrue(out.get(0, 0, 0) != 0.0);
                }
            }
        }
    }

    private static dev.javelin.tensor.spi.HeapStorage boolHost(boolean[] values) {
        var hs = dev.javelin.tensor.spi.HeapStorage.allocate(DType.BOOL, values.length);
        for (int i = 0; i < values.length; i++) hs.setDouble(i, values[i] ? 1 : 0);
        return hs;
    }
}
