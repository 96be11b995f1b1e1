package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.MaxPooling2D;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.kernels.cuda.CudaBackend;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code model.to(Device.cuda(0))}: fit, evaluate and predict on the GPU train like the CPU (skipped without a GPU). */
class GpuTrainingTest {
    private static Model convnet() {
        Seeds.setGlobal(11);
        return new Sequential(new InputLayer(10, 10, 1), new Conv2D(4, 3, "relu"), new MaxPooling2D(2), new Flatten(),
                new Dropout(0.3), new Dense(3, "softmax"));
    }

    private static History train(Model m, Tensor x, Tensor y) {
        m.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(0.01).build())
                .loss("sparse_categorical_crossentropy").metrics("accuracy").jitCompile(false).build());
        return m.fit(x, y, FitOptions.builder().batchSize(16).epochs(3).seed(3).verbose(0).build());
    }

    @Test
    void aConvnetOnTheGpuTrainsLikeOnTheCpu() {
        assumeTrue(CudaBackend.probe(), "needs a CUDA device");
        Tensor x = new RandomTensors(1).uniform(Shape.of(40, 10, 10, 1), DType.FLOAT32, 0, 1);
        Tensor y = new RandomTensors(2).labels(Shape.of(40), 3, DType.INT64);
        Model cpu = convnet();
        History hc = train(cpu, x, y);
        Model gpu = convnet().to(Device.cuda(0));
        History hg = train(gpu, x, y);
        for (String k : List.of("loss", "accuracy")) {
            List<Double> a = hc.history().get(k), b = hg.history().get(k);
            for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-3, k + " epoch " + i);
        }
        for (int i = 0; i < cpu.weights().size(); i++) {
            assertEquals(Device.cuda(0), gpu.weights().get(i).stored().device(), gpu.weights().get(i).name());
            assertArrayEquals(cpu.weights().get(i).stored().toFloatArray(), gpu.weights().get(i).stored().toFloatArray(), 1e-3f,
                    cpu.weights().get(i).name());
        }
        Tensor p = gpu.predict(x);
        assertEquals(Device.CPU, p.device(), "predict returns host tensors");
        assertArrayEquals(cpu.predict(x).toFloatArray(), p.toFloatArray(), 1e-3f);
        assertEquals(cpu.evaluate(x, y, 16).get("loss"), gpu.evaluate(x, y, 16).get("loss"), 1e-3);
    }
}
