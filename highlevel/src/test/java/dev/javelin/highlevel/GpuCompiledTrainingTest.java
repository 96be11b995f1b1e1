package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.layers.GlobalAveragePooling1D;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.highlevel.layers.MaxPooling2D;
import dev.javelin.highlevel.layers.TransformerDecoder;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.kernels.cuda.CudaBackend;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.GcSettle;
import dev.javelin.testing.RandomTensors;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code model.to(Device.cuda(0))} with {@code jitCompile} on: every train and test step is one
 * program compiled for the device (PTX from the same plan and kernel IR as the CPU's), and the run
 * matches the same model compiled for the CPU. Without a GPU the build runs it on the emulated
 * device (its PTX interpreted; surefire execution {@code cuda-emulated}), so the model is tiny;
 * elsewhere it is skipped.
 */
class GpuCompiledTrainingTest {
    @BeforeAll
    static void needsADevice() {
        assumeTrue(CudaBackend.probe(), () -> "needs a CUDA device or -Djavelin.cuda.emulate=true: " + CudaBackend.unavailableReason());
    }

    private static Model convnet() {
        Seeds.setGlobal(5);
        return new Sequential(new InputLayer(6, 6, 1), new Conv2D(2, 3, "relu"), new MaxPooling2D(2), new Flatten(), new Dropout(0.25),
                new Dense(3, "softmax"));
    }

    /**
     * {@link Model#release}: after a compiled fit on the device, the weights, Adam's moments, the metric's state and the
     * compiled steps' programs go back to the allocator at once (allocated bytes return to what they were before the model
     * was made), and a later use of the model is an error that names the release, not garbage.
     */
    @Test
    void releasingAModelGivesEveryDeviceBlockBackAndItsUseIsAnError() {
        Device gpu = Device.cuda(0);
        Tensor x = new RandomTensors(8).uniform(Shape.of(6, 5), DType.FLOAT32, -1, 1);
        Tensor y = new RandomTensors(9).labels(Shape.of(6), 3, DType.INT64);
        java.util.function.LongSupplier allocated = () -> CudaBackend.memoryAllocated(gpu);
        long before = GcSettle.settled(allocated); // what earlier tests dropped is gone first: the count is this test's
        Seeds.setGlobal(11);
        Model m = new Sequential(new InputLayer(5), new Dense(4, "relu"), new Dense(3, "softmax")).to(gpu);
        train(m, x, y);
        Tensor p = m.predict(x);
        assertEquals(Device.CPU, p.device());
        assertTrue(GcSettle.settled(allocated) > before, "the model, still reachable, holds device memory: " + CudaBackend.memoryReport(gpu));
        m.release();
        // m is reachable (it is used below), so only the release can have freed its state
        assertEquals(before, GcSettle.settled(allocated), "every block is back: " + CudaBackend.memoryReport(gpu));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> m.predict(x));
        assertTrue(e.getMessage().contains("Model.release"), e.getMessage());
    }

    private static History train(Model m, Tensor x, Tensor y) {
        m.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(0.05).build())
                .loss("sparse_categorical_crossentropy").metrics("accuracy").build());
        return m.fit(x, y, FitOptions.builder().batchSize(4).epochs(2).seed(3).verbose(0).build());
    }

    /**
     * An LSTM classifier: its RECURRENCE and RECURRENCE_BACKWARD run as the device's step loop (the
     * cell kernels rendered from {@code RecurrentCells}), not on the host, and it trains as on the CPU.
     */
    @Test
    void aCompiledLstmOnTheGpuTrainsLikeTheCompiledCpuOneWithItsLoopsOnTheDevice() {
        Tensor x = new RandomTensors(3).uniform(Shape.of(8, 5, 3), DType.FLOAT32, -1, 1);
        Tensor y = new RandomTensors(4).labels(Shape.of(8), 3, DType.INT64);
        java.util.function.Supplier<Model> lstm = () -> {
            Seeds.setGlobal(7);
            return new Sequential(new InputLayer(5, 3), new LSTM(4), new Dense(3, "softmax"));
        };
        Model cpu = lstm.get();
        History hc = train(cpu, x, y);
        long hostBefore = CudaBackend.hostRuns(Op.RECURRENCE) + CudaBackend.hostRuns(Op.RECURRENCE_BACKWARD);
        Model gpu = lstm.get().to(Device.cuda(0));
        History hg = train(gpu, x, y);
        assertEquals(hostBefore, CudaBackend.hostRuns(Op.RECURRENCE) + CudaBackend.hostRuns(Op.RECURRENCE_BACKWARD),
                "no recurrent loop ran on the host");
        for (String kernel : List.of("S_lstm_forward", "S_lstm_backward")) {
            assertTrue(dev.javelin.kernels.cuda.PtxCache.entries().keySet().stream().anyMatch(k -> k.startsWith(kernel)),
                    kernel + ": the cell's kernel ran on the device");
        }
        List<Double> a = hc.history().get("loss"), b = hg.history().get("loss");
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-4, "loss epoch " + i);
        assertEquals(1, gpu.trainer.jitCompilations(), "one compiled program for every train step");
        for (int i = 0; i < cpu.weights().size(); i++) {
            assertArrayEquals(cpu.weights().get(i).stored().toFloatArray(), gpu.weights().get(i).stored().toFloatArray(), 1e-4f,
                    cpu.weights().get(i).name());
        }
    }

    /**
     * A pre-LayerNorm causal transformer block (the char-GPT's kind): its fused attention, forward and
     * backward, runs as the device's attention kernels ({@code AttentionPtx}), not on the host.
     */
    @Test
    void aCompiledTransformerBlockOnTheGpuTrainsLikeTheCompiledCpuOneWithItsAttentionOnTheDevice() {
        Tensor x = new RandomTensors(5).uniform(Shape.of(8, 5, 6), DType.FLOAT32, -1, 1);
        Tensor y = new RandomTensors(6).labels(Shape.of(8), 3, DType.INT64);
        java.util.function.Supplier<Model> block = () -> {
            Seeds.setGlobal(9);
            return new Sequential(new InputLayer(5, 6), new TransformerDecoder(8, 2, 0.0, "gelu", 1e-5, true, null),
                    new GlobalAveragePooling1D(), new Dense(3, "softmax"));
        };
        Model cpu = block.get();
        History hc = train(cpu, x, y);
        long hostBefore = CudaBackend.hostRuns(Op.ATTENTION) + CudaBackend.hostRuns(Op.ATTENTION_BACKWARD);
        Model gpu = block.get().to(Device.cuda(0));
        History hg = train(gpu, x, y);
        assertEquals(hostBefore, CudaBackend.hostRuns(Op.ATTENTION) + CudaBackend.hostRuns(Op.ATTENTION_BACKWARD), "no attention ran on the host");
        for (String kernel : List.of("attention_fwd_causal", "attention_bwd_q_causal", "attention_bwd_kv_causal")) {
            assertTrue(dev.javelin.kernels.cuda.PtxCache.entries().keySet().stream().anyMatch(k -> k.startsWith(kernel)),
                    kernel + ": the attention kernel ran on the device");
        }
        List<Double> a = hc.history().get("loss"), b = hg.history().get("loss");
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-4, "loss epoch " + i);
        for (int i = 0; i < cpu.weights().size(); i++) {
            String name = cpu.weights().get(i).name();
            float[] wc = cpu.weights().get(i).stored().toFloatArray(), wg = gpu.weights().get(i).stored().toFloatArray();
            if (name.endsWith("key/bias")) {
                // softmax ignores a constant added to a row's scores, so the key bias's gradient is zero in exact
                // arithmetic: its value is each device's rounding noise through Adam. It stays near zero on both.
                for (int e = 0; e < wc.length; e++) assertTrue(Math.abs(wc[e]) < 1e-3 && Math.abs(wg[e]) < 1e-3, name + " stays near 0");
            } else {
                assertArrayEquals(wc, wg, 1e-4f, name);
            }
        }
    }

    @Test
    void aCompiledConvnetWithDropoutOnTheGpuTrainsLikeTheCompiledCpuOne() {
        Tensor x = new RandomTensors(1).uniform(Shape.of(8, 6, 6, 1), DType.FLOAT32, 0, 1);
        Tensor y = new RandomTensors(2).labels(Shape.of(8), 3, DType.INT64);
        Model cpu = convnet();
        History hc = train(cpu, x, y);
        Model gpu = convnet().to(Device.cuda(0));
        History hg = train(gpu, x, y);
        for (String k : List.of("loss", "accuracy")) {
            List<Double> a = hc.history().get(k), b = hg.history().get(k);
            for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-4, k + " epoch " + i);
        }
        assertEquals(1, gpu.trainer.jitCompilations(), "one compiled program for every train step");
        for (int i = 0; i < cpu.weights().size(); i++) {
            assertEquals(Device.cuda(0), gpu.weights().get(i).stored().device(), gpu.weights().get(i).name());
            assertArrayEquals(cpu.weights().get(i).stored().toFloatArray(), gpu.weights().get(i).stored().toFloatArray(), 1e-4f,
                    cpu.weights().get(i).name());
        }
        assertEquals(cpu.evaluate(x, y, 4).get("loss"), gpu.evaluate(x, y, 4).get("loss"), 1e-4);
        Tensor p = gpu.predict(x.narrow(0, 0, 3)); // an odd batch size
        assertEquals(Device.CPU, p.device(), "predict returns host tensors");
        assertArrayEquals(cpu.predict(x.narrow(0, 0, 3)).toFloatArray(), p.toFloatArray(), 1e-4f);
        assertTrue(gpu.trainer.jitCompilations() >= 2, "evaluate compiled its test step too");
    }
}
