package dev.javelin.jit.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.javelin.kernels.codegen.CpuCodegen;
import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.codegen.TieredKernel;
import dev.javelin.kernels.cuda.CudaBackend;
import dev.javelin.kernels.cuda.Launch;
import dev.javelin.kernels.cuda.ptx.PtxModule;
import dev.javelin.kernels.cuda.ptx.Ptxas;
import dev.javelin.kernels.ir.CellStep;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.RecurrentCells;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.Backends;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The recurrent cells' gate math ({@link RecurrentCells}: the kernels the CPU's recurrence loop runs)
 * rendered as PTX from the same IR: every cell and activation assembles, and the LSTM step's kernels
 * run on the emulated device (or a GPU) with the CPU's generated kernel's bits.
 */
class RecurrentCellPtxTest {
    private static final Activation[][] PAIRS = {{Activation.TANH, Activation.SIGMOID}, {Activation.RELU, Activation.HARD_SIGMOID},
        {Activation.LINEAR, Activation.TANH}, {Activation.SIGMOID, Activation.RELU}};

    private static List<KernelIR> kernels(Cell cell, Activation act, Activation gate) {
        List<KernelIR> irs = new ArrayList<>();
        for (CellStep step : List.of(RecurrentCells.forward(cell, act, gate), RecurrentCells.backward(cell, act, gate))) {
            for (CellStep.Phase p : step.phases()) if (p instanceof CellStep.Kernel k) irs.add(k.ir());
        }
        return irs;
    }

    @Test
    void everyCellsKernelsAssembleForSm80AndSm90() {
        Assumptions.assumeTrue(Ptxas.find() != null, "ptxas is not on the PATH");
        PtxModule module = new PtxModule(PtxModule.SM_80);
        for (Cell cell : Cell.values()) {
            for (Activation[] p : PAIRS) for (KernelIR ir : kernels(cell, p[0], p[1])) module.add(PtxRenderer.elementwise(ir, 1));
        }
        for (String arch : List.of("sm_80", "sm_90")) assertNull(Ptxas.assemble(module.text(), arch));
    }

    @Test
    void lstmStepOnTheDeviceHasTheCpuKernelsBits() {
        if (!CudaBackend.probe()) System.setProperty("javelin.cuda.emulate", "true");
        Assumptions.assumeTrue(CudaBackend.probe(), () -> "no CUDA device and no emulation: " + CudaBackend.unavailableReason());
        Device gpu = Device.cuda(0);
        int n = 300;
        for (KernelIR ir : kernels(Cell.LSTM, Activation.TANH, Activation.SIGMOID)) {
            int ins = ir.inputSlots(), outs = ir.outputs();
            Object[] arrays = new Object[ins + outs];
            Tensor[] onDevice = new Tensor[ins + outs];
            List<Object> args = new ArrayList<>();
            for (int j = 0; j < outs; j++) {
                arrays[ins + j] = new float[n];
                onDevice[ins + j] = Tensor.wrap(Backends.forDevice(gpu).allocate(DType.FLOAT32, n, gpu), Shape.of(n));
                args.addAll(List.of(CudaBackend.devicePointer(onDevice[ins + j]), 0, 1));
            }
            args.add(n);
            for (int s = 0; s < ins; s++) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) x[i] = (float) Math.sin(i * 0.37 + s) * (1 + s % 3);
                arrays[s] = x;
                onDevice[s] = Tensors.of(x, n).to(gpu);
                args.addAll(List.of(CudaBackend.devicePointer(onDevice[s]), 0, 1));
            }
            FusedKernel cpu = ((TieredKernel) CpuCodegen.compile(ir).kernel()).generatedCode();
            cpu.run(arrays, new int[ins + outs], new int[ins + outs][], n);
            String entry = PtxRenderer.elementwise(ir, 1);
            String name = entry.substring(entry.indexOf(".entry ") + 7, entry.indexOf('('));
            CudaBackend.launch(gpu, new Launch(name, entry, (n + PtxRenderer.BLOCK - 1) / PtxRenderer.BLOCK, 1, 1, PtxRenderer.BLOCK, 0, args));
            for (int j = 0; j < outs; j++) {
                float[] expected = (float[]) arrays[ins + j], got = onDevice[ins + j].to(Device.CPU).toFloatArray();
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]), ir.name() + " result " + j + " at " + i);
                }
            }
        }
    }
}
