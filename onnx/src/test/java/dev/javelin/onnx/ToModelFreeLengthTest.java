package dev.javelin.onnx;

import static dev.javelin.onnx.Protos.floatsNamed;
import static dev.javelin.onnx.Protos.graph;
import static dev.javelin.onnx.Protos.initializer;
import static dev.javelin.onnx.Protos.intAttr;
import static dev.javelin.onnx.Protos.ints;
import static dev.javelin.onnx.Protos.model;
import static dev.javelin.onnx.Protos.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Model;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code toModel()} of a 1-D convolutional net exported with a free length (PyTorch's
 * {@code dynamic_axes={"x": {0: "b", 2: "t"}}} on {@code nn.Conv1d}: ONNX Conv on [b, C, t], which
 * converts to an {@link OnnxOpLayer}). The conversion ran each such node once on the placeholder
 * length 1 to learn which constants it reads as numbers, and a window of 5 refused it ("the kernel
 * [1, 5] (dilated) is larger than the padded input [1, 1]"), so only {@code toModel(Map.of("t", N))}
 * converted it, for that length alone; Keras layers on such inputs already build at the larger sizes
 * of {@code FreeDimensions}. Found by the oracle10 ONNX oracle (oracle9 had left it).
 */
class ToModelFreeLengthTest {
    private static final int CIN = 4;
    private static final int MID = 8;
    private static final int COUT = 6;

    /** Conv(k5) -> Relu -> MaxPool(2) -> Conv(k5) -> ReduceMean over t: the second window fits neither length 1 nor 8. */
    private static byte[] convNet() {
        Random r = new Random(5);
        var g = graph("conv1d").addInput(floatsNamed("x", "b", CIN, "t")).addOutput(floatsNamed("y", "b", COUT))
                .addInitializer(initializer("w1", random(r, MID * CIN * 5), MID, CIN, 5)).addInitializer(initializer("b1", random(r, MID), MID))
                .addInitializer(initializer("w2", random(r, COUT * MID * 5), COUT, MID, 5)).addInitializer(initializer("b2", random(r, COUT), COUT))
                .addNode(node("/c1/Conv", "Conv", List.of("x", "w1", "b1"), List.of("h1"), ints("kernel_shape", 5)))
                .addNode(node("/Relu", "Relu", List.of("h1"), List.of("h2")))
                .addNode(node("/p/MaxPool", "MaxPool", List.of("h2"), List.of("h3"), ints("kernel_shape", 2), ints("strides", 2)))
                .addNode(node("/c2/Conv", "Conv", List.of("h3", "w2", "b2"), List.of("h4"), ints("kernel_shape", 5)))
                .addNode(node("/ReduceMean", "ReduceMean", List.of("h4"), List.of("y"), ints("axes", 2), intAttr("keepdims", 0)));
        return model(17, g.build()).toByteArray();
    }

    @Test
    void aConvNetWithAFreeLengthConvertsAndTakesEveryLength(@TempDir Path dir) throws Exception {
        OnnxModel file = OnnxModel.load(convNet(), "conv1d");
        Model layers = file.toModel();
        Random r = new Random(7);
        Path saved = dir.resolve("conv1d.safetensors");
        layers.save(saved);
        Model loaded = Model.load(saved);
        for (int t : new int[] {14, 20, 64, 101}) {
            Tensor x = Tensors.of(random(r, 3 * CIN * t), 3, CIN, t);
            Tensor want = file.call(x)[0];
            assertArrayEquals(new int[] {3, COUT}, want.shape().toArray());
            TensorAssert.assertClose(want, layers.predict(x), 1e-5, 1e-6);
            TensorAssert.assertClose(want, loaded.predict(x), 1e-5, 1e-6);
        }
    }

    @Test
    void aLengthTheWindowsDoNotFitIsStillRefusedWhenTheModelRuns() throws Exception {
        Model layers = OnnxModel.load(convNet(), "conv1d").toModel();
        // length 9: conv 5 -> 5, pool -> 2, conv 5 does not fit
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layers.predict(Tensors.of(new float[2 * CIN * 9], 2, CIN, 9)));
        assertTrue(e.getMessage().contains("kernel"), e.getMessage());
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian() * 0.5f;
        return v;
    }
}
