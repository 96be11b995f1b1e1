package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.kernels.cuda.CudaBackend;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import java.util.Locale;

/**
 * Times the Keras MLP 784-512-512-10 (ReLU, Adam 1e-3, sparse categorical cross-entropy from logits,
 * batch 128) train step on a CUDA device, compiled (one program per step) and op by op, for
 * {@code perf/gpu-check.sh}; {@code perf/mlp_cuda_torch.py} times PyTorch's CUDA eager step on the
 * same GPU in the same command. Run: {@code java -cp ... dev.javelin.highlevel.GpuMlpStep [steps [hidden batch]]}
 * (smaller sizes for a try on the emulated device).
 */
public final class GpuMlpStep {
    private GpuMlpStep() {}

    public static void main(String[] args) {
        if (!CudaBackend.probe()) {
            System.out.println("GpuMlpStep: no CUDA device (" + CudaBackend.unavailableReason() + "); nothing measured");
            return;
        }
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int hidden = args.length > 2 ? Integer.parseInt(args[1]) : 512, batch = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        Device gpu = Device.cuda(0);
        Tensor x = new RandomTensors(1).uniform(Shape.of(batch * steps, 784), DType.FLOAT32, 0, 1);
        Tensor y = new RandomTensors(2).labels(Shape.of(batch * steps), 10, DType.INT64);
        for (boolean jit : new boolean[] {true, false}) {
            Seeds.setGlobal(7);
            Model m = new Sequential(new InputLayer(784), new Dense(hidden, "relu"), new Dense(hidden, "relu"), new Dense(10)).to(gpu);
            m.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(1e-3).build())
                    .loss(new dev.javelin.highlevel.losses.SparseCategoricalCrossentropy(true)).jitCompile(jit).build());
            FitOptions once = FitOptions.builder().batchSize(batch).epochs(1).shuffle(false).verbose(0).build();
            m.fit(x, y, once); // warm-up: compilation, kernel loading, the allocator's first blocks
            CudaBackend.synchronize(gpu);
            long t0 = System.nanoTime();
            m.fit(x, y, once);
            CudaBackend.synchronize(gpu);
            double ms = (System.nanoTime() - t0) / 1e6 / steps;
            System.out.printf(Locale.ROOT, "javelin %s MLP 784-%d-%d-10 Adam b%d train step on %s: %.3f ms (mean of %d steps)%n",
                    jit ? "compiled" : "op-by-op", hidden, hidden, batch, CudaBackend.deviceName(gpu), ms, steps);
            m.release(); // the next model starts from the same allocator state
        }
        System.out.println(CudaBackend.memoryReport(gpu));
    }
}
