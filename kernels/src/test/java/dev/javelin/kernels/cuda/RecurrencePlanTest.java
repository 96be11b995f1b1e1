package dev.javelin.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.kernels.cuda.ptx.PtxasAssert;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the device's recurrent loop launches per step, planned on a recording "null device" (every
 * launch's arguments checked against its kernel's parameters): an LSTM forward step is its product
 * with the add onto x in the GEMM's store, then the cell; a backward step the two states' incoming
 * gradients in one kernel, the record of h, the cell, the {@code da·wᵀ} product. Every kernel assembles
 * with ptxas for sm_80 and sm_90.
 */
class RecurrencePlanTest {
    @Test
    void anLstmStepIsTwoLaunchesForwardAndFourBackward() {
        int n = 3, steps = 5, u = 4, g = 4;
        RecordingRunner r = new RecordingRunner();
        OpAttrs.Recurrence a = new OpAttrs.Recurrence(Cell.LSTM, false, false);
        Tensor x = r.tensor(DType.FLOAT32, n, steps, g * u), w = r.tensor(DType.FLOAT32, u, g * u);
        Tensor h0 = r.tensor(DType.FLOAT32, n, u), c0 = r.tensor(DType.FLOAT32, n, u), y = r.tensor(DType.FLOAT32, n, steps, 6 * u);
        CudaRecurrence.forward(r, new OpCall(Op.RECURRENCE, List.of(x, w, h0, c0), a, y.shape(), DType.FLOAT32, Device.cuda(0)), y);
        assertEquals(2 * steps, r.launches.size(), "per step: the product with its epilogue, the cell");
        int forward = r.launches.size();
        Tensor dy = r.tensor(DType.FLOAT32, n, steps, 6 * u), grads = r.tensor(DType.FLOAT32, n * steps * g * u + u * g * u + 2 * n * u);
        CudaRecurrence.backward(r, new OpCall(Op.RECURRENCE_BACKWARD, List.of(w, h0, c0, y, dy), a, grads.shape(), DType.FLOAT32,
                Device.cuda(0)), grads);
        // around the loop: wᵀ, the two carried gradients and the zero zeroed; after it: two state copies, hᵀ and dw
        assertEquals(4 * steps + 8, r.launches.size() - forward, "per step: the incoming gradients, the record of h, the cell, da·wᵀ");
        PtxasAssert.assemble("recurrence plan", r.launches.stream().map(Launch::entry).toList());
    }
}
