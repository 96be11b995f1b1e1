package dev.javelin.jit;

import static dev.javelin.jit.EveryOpBitContractTest.FUNCTIONS;
import static dev.javelin.jit.EveryOpBitContractTest.check;
import static dev.javelin.jit.EveryOpBitContractTest.tensor;
import static dev.javelin.jit.EveryOpBitContractTest.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.javelin.kernels.cpu.VectorSupport;
import dev.javelin.kernels.cuda.CudaBackend;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bit-identity contract on the CUDA device (a GPU where there is one, else the emulated device:
 * the PTX in an interpreter that rounds as the hardware does): every elementwise float32 function of
 * {@link EveryOpBitContractTest} (each unary and binary op, GELU in both forms, SiLU, softplus, the
 * binary cross-entropies), eager on device tensors and compiled for them, on a dense input, a
 * transposed view and a broadcast operand, gives the CPU's bits. Reductions are left out: their
 * order on the device differs by design.
 */
class CudaBitContractTest {
    private static final Device GPU = Device.cuda(0);

    @BeforeAll
    static void deviceOrEmulation() {
        if (!CudaBackend.probe()) System.setProperty("javelin.cuda.emulate", "true");
        Assumptions.assumeTrue(CudaBackend.probe(), () -> "no CUDA device and no emulation: " + CudaBackend.unavailableReason());
        Assumptions.assumeTrue(VectorSupport.enabled(), "the CPU's bits are the generated kernels'");
    }

    @Test
    void everyElementwiseFunctionGivesTheCpusBitsEagerAndCompiled() {
        // 5 x 37: a tail after the v4 loads on the device and after the CPU's vectors; one in 40 values an edge case
        Tensor x = tensor(values(5 * 37, 21, true), 5, 37), y = tensor(values(5 * 37, 22, true), 5, 37);
        Tensor xt = tensor(values(37 * 5, 23, true), 37, 5).transpose(0, 1), row = tensor(values(37, 24, true), 1, 37).expand(5, 37);
        Tensor[][] cases = {{x, y}, {xt, row}};
        String[] layouts = {"dense", "transposed and broadcast"};
        List<String> failures = new ArrayList<>();
        for (EveryOpBitContractTest.Fn fn : FUNCTIONS) {
            if (!fn.elementwise()) continue;
            CompiledFunction cpu = Jit.compile(a -> new Tensor[] {fn.f().apply(a)}), gpu = Jit.compile(a -> new Tensor[] {fn.f().apply(a)});
            for (int c = 0; c < cases.length; c++) {
                Tensor[] host = cases[c], device = {host[0].to(GPU), host[1].to(GPU)};
                String what = fn.name() + ", " + layouts[c] + ": ";
                float[] expected = fn.f().apply(host).toFloatArray();
                check(failures, what + "compiled on the CPU", expected, cpu.call(host)[0].toFloatArray());
                Tensor eager = fn.f().apply(device), compiled = gpu.call(device)[0];
                assertEquals(GPU, eager.device(), what + "eager stays on the device");
                assertEquals(GPU, compiled.device(), what + "compiled stays on the device");
                check(failures, what + "eager on the device", expected, eager.to(Device.CPU).toFloatArray());
                check(failures, what + "compiled on the device", expected, compiled.to(Device.CPU).toFloatArray());
            }
        }
        if (!failures.isEmpty()) fail(failures.size() + " differ:\n" + String.join("\n", failures));
    }
}
