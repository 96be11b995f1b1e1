package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.ptx.KernelIrPtx;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The GPU figures of issue 7, for a machine with a CUDA device (see kernels/CUDA.md for the exact
 * commands): SGEMM 4096^3 float32 (FP32 and TF32), a fused elementwise chain against the copy
 * kernel's bandwidth, and a short convnet training run on GPU and CPU. Prints one line per figure.
 * A benchmark, not a test: nothing is asserted.
 */
public final class CudaBench {
    private CudaBench() {}

    public static void main(String[] args) {
        if (!CudaBackend.probe()) {
            System.out.println("no CUDA device: " + CudaBackend.unavailableReason());
            System.exit(2);
        }
        Device g = Device.cuda(0);
        System.out.println("device: " + CudaBackend.deviceName(g));
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        Tensor a = pattern(n * n, 1).reshape(n, n).to(g);
        Tensor b = pattern(n * n, 2).reshape(n, n).to(g);
        double flops = 2.0 * n * n * n;
        for (MatmulPrecision p : MatmulPrecision.values()) {
            CudaBackend.setMatmulPrecision(p);
            double s = time(g, 3, 10, () -> Ops.matmul(a, b));
            System.out.printf(Locale.ROOT, "sgemm %d^3 %s: %.3f ms, %.1f TFLOP/s%n", n, p, s * 1e3, flops / s / 1e12);
        }
        CudaBackend.setMatmulPrecision(MatmulPrecision.FP32);
        int m = 1 << 26; // 64 Mi floats, 256 MiB per array
        Tensor x = pattern(m, 3).to(g);
        Tensor y = pattern(m, 4).to(g);
        Tensor z = pattern(m, 5).to(g);
        Supplier<Tensor> copyCall = () -> CudaBackend.fusedElementwise(KernelIrPtx.copy(DType.FLOAT32), List.of(x));
        KernelIR chain = chainIr();
        Supplier<Tensor> chainCall = () -> CudaBackend.fusedElementwise(chain, List.of(x, y, z));
        // bandwidths: the best of five rounds of 50 calls each, copy and chain alternating, so both
        // see the allocator warm (a first 256 MiB block costs a driver allocation) and the same clocks
        double copy = Double.MAX_VALUE, fused = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            copy = Math.min(copy, time(g, 3, 50, copyCall));
            fused = Math.min(fused, time(g, 3, 50, chainCall));
        }
        double copyBw = 8.0 * m / copy / 1e9;
        double fusedBw = 16.0 * m / fused / 1e9;
        System.out.printf(Locale.ROOT, "copy kernel: %.1f GB/s; fused relu(x*y+z)*sigmoid(x): %.1f GB/s = %.0f%% of copy%n",
                copyBw, fusedBw, 100 * fusedBw / copyBw);
        for (Device d : List.of(g, Device.CPU)) {
            long t0 = System.nanoTime();
            float[] losses = MnistLikeStep.train(d, 30);
            double sec = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "convnet 30 steps on %s: %.2f s, loss %.4f -> %.4f%n", d, sec, losses[0], losses[losses.length - 1]);
        }
        System.out.println(CudaBackend.memoryReport(g));
    }

    /** relu(x * y + z) * sigmoid(x) as one kernel body. */
    static KernelIR chainIr() {
        DType f = DType.FLOAT32;
        List<KernelIR.Instr> body = List.of(KernelIR.Instr.load(0, f), KernelIR.Instr.load(1, f), KernelIR.Instr.op(Op.MUL, List.of(0, 1), f),
                KernelIR.Instr.load(2, f), KernelIR.Instr.op(Op.ADD, List.of(2, 3), f), KernelIR.Instr.op(Op.RELU, List.of(4), f),
                KernelIR.Instr.op(Op.SIGMOID, List.of(0), f), KernelIR.Instr.op(Op.MUL, List.of(5, 6), f));
        List<KernelIR.Load> loads = java.util.Collections.nCopies(3, new KernelIR.Load(f, KernelIR.Access.CONTIGUOUS));
        return new KernelIR("E_mul_add_relu_sigmoid_mul", KernelIR.Mode.ELEMENTWISE, null, loads, body, f);
    }

    /** Mean seconds per call over {@code runs} after {@code warmup} calls, with the device synchronized around. */
    private static double time(Device g, int warmup, int runs, Supplier<Tensor> f) {
        for (int i = 0; i < warmup; i++) f.get().storage().close();
        CudaBackend.synchronize(g);
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) f.get().storage().close(); // back to the cache: stream order keeps it safe
        CudaBackend.synchronize(g);
        return (System.nanoTime() - t0) / 1e9 / runs;
    }

    private static Tensor pattern(int n, int seed) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) Math.sin(i * 0.618 + seed) * 0.5f;
        return Tensors.of(v);
    }
}
