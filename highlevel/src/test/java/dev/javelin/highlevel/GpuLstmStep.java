package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.highlevel.layers.RecurrentOptions;
import dev.javelin.highlevel.losses.SparseCategoricalCrossentropy;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.kernels.cuda.CudaBackend;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import java.util.Locale;

/**
 * Times the 2-layer LSTM train step of issue 13 ({@code LSTM(256, return_sequences) -> LSTM(256) ->
 * Dense(10)}, T = 64, batch 64, 32 features, Adam 1e-3, cross-entropy from logits) on a CUDA device,
 * compiled, with the recurrent loops on the device ({@code CudaRecurrence}); prints how many
 * recurrent ops went to the host (0 expected). For {@code perf/gpu-check.sh}, beside
 * {@code perf/lstm_torch.py cuda=1} (PyTorch's CUDA eager nn.LSTM) in the same command.
 * Run: {@code java -cp ... dev.javelin.highlevel.GpuLstmStep [calls [units T batch]]} (smaller sizes for a try on the emulated device).
 */
public final class GpuLstmStep {
    private GpuLstmStep() {}

    public static void main(String[] args) {
        if (!CudaBackend.probe()) {
            System.out.println("GpuLstmStep: no CUDA device (" + CudaBackend.unavailableReason() + "); nothing measured");
            return;
        }
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int units = args.length > 3 ? Integer.parseInt(args[1]) : 256, steps = args.length > 3 ? Integer.parseInt(args[2]) : 64;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        Device gpu = Device.cuda(0);
        Tensor x = new RandomTensors(1).normal(Shape.of(batch, steps, 32)); // host batches, as fit gives them: the trainer moves them
        Tensor y = new RandomTensors(2).labels(Shape.of(batch), 10, DType.INT64);
        Seeds.setGlobal(7);
        Model m = new Sequential(new InputLayer(steps, 32), new LSTM(units, RecurrentOptions.defaults().returnSequences(true)), new LSTM(units),
                new Dense(10)).to(gpu);
        m.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(1e-3).build())
                .loss(new SparseCategoricalCrossentropy(true)).build());
        long t0 = System.nanoTime();
        m.trainOnBatch(x, y); // trace, compile, load the kernels
        CudaBackend.synchronize(gpu);
        double first = (System.nanoTime() - t0) / 1e6;
        t0 = System.nanoTime();
        double loss = 0;
        for (int i = 0; i < calls; i++) loss = m.trainOnBatch(x, y).get("loss");
        CudaBackend.synchronize(gpu);
        double ms = (System.nanoTime() - t0) / 1e6 / calls;
        System.out.printf(Locale.ROOT, "javelin compiled LSTM 2x%d T=%d b%d train step on %s: first call %.1f ms; next %.3f ms (mean of %d); loss %.4f;"
                + " recurrent ops on the host: %d%n", units, steps, batch, CudaBackend.deviceName(gpu), first, ms, calls, loss,
                CudaBackend.hostRuns(Op.RECURRENCE) + CudaBackend.hostRuns(Op.RECURRENCE_BACKWARD));
        System.out.println(CudaBackend.memoryReport(gpu));
    }
}
