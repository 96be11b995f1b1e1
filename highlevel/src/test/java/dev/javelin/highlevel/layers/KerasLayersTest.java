package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Input;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.initializers.RandomNormal;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.RandomTensors;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Keras layers added for issue 14: gradients against finite differences (float64), a model using
 * all of them saved and loaded (config, registry, weights: bit-identical predictions and summary),
 * and errors that name the layer.
 */
class KerasLayersTest {
    @TempDir
    Path dir;

    private static Tensor x(long seed, int... dims) {
        return new RandomTensors(seed).normal(Shape.of(dims)).cast(DType.FLOAT64);
    }

    @Test
    void convolutionGradients() {
        LayerGradientsTest.check(new Conv2DTranspose(3, new int[] {3, 2}, new int[] {2, 1}, "same", new int[] {1, 1}, "tanh", true,
                new RandomNormal(0, 0.5, 1L), new RandomNormal(0, 0.5, 2L), null, null, null), true, x(40, 2, 3, 4, 2));
        LayerGradientsTest.check(new Conv2DTranspose(2, 2, 1, "valid", null), true, x(41, 1, 3, 3, 3));
        LayerGradientsTest.check(new DepthwiseConv2D(new int[] {2, 3}, new int[] {1, 2}, "same", 2, new int[] {1, 1}, null, true,
                new RandomNormal(0, 0.5, 3L), new RandomNormal(0, 0.5, 4L), null, null, null), true, x(42, 2, 4, 5, 3));
        LayerGradientsTest.check(new SeparableConv2D(4, 3, 1, "valid", "sigmoid"), true, x(43, 1, 5, 4, 2));
    }

    @Test
    void oneAndThreeDimensionalConvolutionGradients() {
        LayerGradientsTest.check(new Conv1DTranspose(2, 3, 2, "same", "tanh"), true, x(90, 2, 3, 2));
        LayerGradientsTest.check(new DepthwiseConv1D(2, 1, "valid", 2, null), true, x(91, 2, 4, 2));
        LayerGradientsTest.check(new SeparableConv1D(3, 3, 2, "same", null), true, x(92, 1, 5, 2));
        LayerGradientsTest.check(new Conv3D(2, new int[] {2, 2, 1}, new int[] {1, 2, 1}, "same", new int[] {1}, 1, null, true,
                new RandomNormal(0, 0.5, 6L), new RandomNormal(0, 0.5, 7L), null, null, null), true, x(93, 1, 3, 3, 2, 2));
        LayerGradientsTest.check(new Conv3DTranspose(2, new int[] {2, 3, 2}, new int[] {2, 1, 2}, "same", new int[] {1}, null, true,
                new RandomNormal(0, 0.5, 8L), new RandomNormal(0, 0.5, 9L), null, null, null), true, x(94, 1, 2, 2, 2, 2));
        LayerGradientsTest.check(new EinsumDense("abc,cd->abd", new int[] {2, 3}, "d"), true, x(95, 2, 2, 4));
    }

    @Test
    void reshapingAndPoolingGradients() {
        LayerGradientsTest.check(new UpSampling2D(2), true, x(44, 1, 2, 3, 2));
        LayerGradientsTest.check(new UpSampling2D(new int[] {3, 2}, "bilinear", null), true, x(45, 2, 3, 2, 1));
        LayerGradientsTest.check(new ZeroPadding2D(1, 0, 2, 1), true, x(46, 1, 2, 3, 2));
        LayerGradientsTest.check(new Cropping2D(1, 0, 0, 1), true, x(47, 2, 3, 3, 1));
        LayerGradientsTest.check(new GlobalMaxPooling2D(), true, x(48, 2, 3, 3, 2));
        LayerGradientsTest.check(new RepeatVector(3), true, x(49, 2, 4));
        LayerGradientsTest.check(new Permute(3, 1, 2), true, x(50, 2, 3, 4, 2));
        LayerGradientsTest.check(new Rescaling(1 / 127.5, -1), true, x(51, 3, 2));
    }

    @Test
    void volumeAndSequenceGradients() {
        LayerGradientsTest.check(new MaxPooling3D(new int[] {3, 2, 2}, new int[] {2, 1, 2}, "same", null), true, x(75, 1, 4, 3, 3, 2));
        LayerGradientsTest.check(new AveragePooling3D(new int[] {2, 3, 2}, new int[] {1, 2, 1}, "same", null), true, x(76, 2, 3, 4, 2, 1));
        LayerGradientsTest.check(new GlobalAveragePooling3D(), true, x(77, 2, 2, 3, 2, 2));
        LayerGradientsTest.check(new GlobalMaxPooling3D(true, null), true, x(78, 2, 2, 3, 2, 2));
        LayerGradientsTest.check(new UpSampling3D(2, 1, 3), true, x(79, 1, 2, 2, 2, 1));
        LayerGradientsTest.check(new UpSampling1D(2), true, x(81, 2, 3, 2));
        LayerGradientsTest.check(new ZeroPadding3D(1, 0, 2), true, x(82, 1, 2, 2, 2, 1));
        LayerGradientsTest.check(new ZeroPadding1D(2, 1), true, x(83, 2, 3, 2));
        LayerGradientsTest.check(new Cropping3D(1, 0, 0, 1, 1, 0), true, x(84, 1, 3, 3, 3, 1));
        LayerGradientsTest.check(new Cropping1D(1, 2), true, x(85, 2, 5, 2));
        LayerGradientsTest.check(new UnitNormalization(), true, x(86, 3, 4));
        LayerGradientsTest.check(new RMSNormalization(), true, x(87, 3, 4));
        LayerGradientsTest.check(new Identity(), true, x(88, 3, 4));
        LayerGradientsTest.check(new Lambda(t -> t.mul(t).sin()), true, x(89, 3, 4));
    }

    @Test
    void normalizationAndActivationGradients() {
        LayerGradientsTest.check(new GroupNormalization(2), true, x(52, 2, 3, 2, 4));
        LayerGradientsTest.check(new GroupNormalization(3), true, x(53, 2, 5, 6));
        LayerGradientsTest.check(new PReLU(new RandomNormal(0, 0.5, 5L), null, new int[] {1}, null), true, x(54, 3, 2, 4));
        LayerGradientsTest.check(new ReLU(1.5, 0.2, 0.3, null), true, x(55, 4, 5));
        LayerGradientsTest.check(new LeakyReLU(), true, x(56, 4, 5));
        LayerGradientsTest.check(new ELU(0.5), true, x(57, 4, 5));
        LayerGradientsTest.check(new Softmax(0), true, x(58, 3, 4));
    }

    @Test
    void mergeGradients() {
        LayerGradientsTest.check(new Multiply(), true, x(59, 2, 3), x(60, 2, 3), x(61, 1, 3));
        LayerGradientsTest.check(new Subtract(), true, x(62, 2, 3), x(63, 2, 3));
        LayerGradientsTest.check(new Average(), true, x(64, 2, 3), x(65, 2, 3), x(66, 2, 3));
        LayerGradientsTest.check(new Maximum(), true, x(67, 2, 3), x(68, 2, 3));
        LayerGradientsTest.check(new Minimum(), true, x(69, 2, 3), x(70, 2, 3));
        LayerGradientsTest.check(new Dot(new int[] {2, 2}, false, null), true, x(71, 2, 3, 4), x(72, 2, 5, 4));
        LayerGradientsTest.check(new Dot(new int[] {1, 1}, true, null), true, x(73, 3, 4), x(74, 3, 4));
    }

    /** Every new layer in one functional model. */
    private static Model everyLayer() {
        Layer.resetNames();
        Tensor in = Input.of(6, 6, 3);
        Tensor a = new Conv2DTranspose(4, 3, 1, "same", "relu").apply(in);
        Tensor b = new DepthwiseConv2D(3, 1, "same", 2, null).apply(in);
        Tensor c = new SeparableConv2D(4, 3, 1, "same", null).apply(b);
        Tensor merged = new Minimum().apply(new Maximum().apply(new Average().apply(new Multiply().apply(a, c), new Subtract().apply(a, c), a), c), a);
        Tensor framed = new Cropping2D(1).apply(new ZeroPadding2D(1).apply(merged));
        Tensor up = new UpSampling2D(new int[] {2, 2}, "bilinear", null).apply(new UpSampling2D(new int[] {1, 2}, "nearest", null).apply(framed));
        Tensor act = new ELU(0.5).apply(new LeakyReLU(0.2).apply(new ReLU(6.0, 0.1, 0, null).apply(
                new PReLU(new RandomNormal(0, 0.3, 9L), null, new int[] {1, 2}, null).apply(new GroupNormalization(2).apply(up)))));
        Tensor pooled = new Rescaling(0.5, 1).apply(new GlobalMaxPooling2D().apply(act));
        Tensor seq = new Permute(2, 1).apply(new RepeatVector(3).apply(pooled));
        Tensor steps = new EinsumDense("abc,cd->abd", new int[] {4, 5}, "d").apply(seq);                       // [N, 4, 5]
        Tensor conv1 = new SeparableConv1D(3, 2, 1, "same", null).apply(new DepthwiseConv1D(2, 1, "same", 1, null).apply(
                new Conv1DTranspose(4, 2, 1, "same", null).apply(steps)));                                          // [N, 4, 3]
        Tensor attention = new Softmax().apply(new Dot(new int[] {2, 2}, true, null).apply(conv1, conv1));        // [N, 4, 4]
        Tensor volume = new Reshape(2, 2, 2, 2).apply(attention);
        Tensor v3 = new GlobalAveragePooling3D().apply(new Conv3DTranspose(2, 2, 1, "same", null).apply(new Conv3D(3, 2, 1, "same", null)
                .apply(volume)));                                                                                   // [N, 2]
        return new Model(in, new Concatenate().apply(new Flatten().apply(attention), v3));
    }

    @Test
    void everyLayerSavesAndLoadsWithItsConfig() throws IOException {
        Model m = everyLayer();
        Tensor input = new RandomTensors(80).uniform(Shape.of(2, 6, 6, 3), DType.FLOAT32, -1, 1);
        Tensor before = m.apply(input, false);
        assertEquals(Shape.of(2, 18), before.shape());
        Path file = dir.resolve("layers.safetensors");
        m.save(file);
        Model back = Model.load(file);
        assertEquals(m.summaryText().replace(m.name(), "?"), back.summaryText().replace(back.name(), "?"));
        assertArrayEquals(before.toFloatArray(), back.apply(input, false).toFloatArray(), 0f);
        for (String type : new String[] {"Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D", "GroupNormalization", "PReLU", "Dot",
            "UpSampling2D", "Cropping2D", "ZeroPadding2D", "GlobalMaxPooling2D", "RepeatVector", "Permute", "Rescaling", "Softmax", "EinsumDense",
            "Conv1DTranspose", "DepthwiseConv1D", "SeparableConv1D", "Conv3D", "Conv3DTranspose"}) {
            assertTrue(m.summaryText().contains("(" + type + ")"), type + " in the summary");
        }
    }

    @Test
    void badInputsNameTheLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Conv2DTranspose(2, 3, 1, "same", null)
                .apply(Tensors.ones(2, 3)));
        assertTrue(e.getMessage().contains("Conv2DTranspose") && e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GroupNormalization(4).apply(Tensors.ones(2, 6)));
        assertTrue(e.getMessage().contains("GroupNormalization") && e.getMessage().contains("groups=4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Subtract().apply(Tensors.ones(2, 3), Tensors.ones(2, 3), Tensors.ones(2, 3)));
        assertTrue(e.getMessage().contains("Subtract") && e.getMessage().contains("exactly 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Multiply().apply(Tensors.ones(2, 3), Tensors.ones(2, 4)));
        assertTrue(e.getMessage().contains("Multiply"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Cropping2D(2).apply(Tensors.ones(1, 3, 3, 1)));
        assertThrows(IllegalArgumentException.class, () -> new Permute(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new UpSampling2D(new int[] {2, 2}, "bicubic", null));
        e = assertThrows(IllegalArgumentException.class, () -> Lambda.fromConfig(java.util.Map.of("name", "double_it")));
        assertTrue(e.getMessage().contains("LayerRegistry.register"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPooling3D(3).apply(Tensors.ones(1, 2, 4, 4, 1)));
        assertTrue(e.getMessage().contains("MaxPooling3D"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PReLU(null, null, null, null));
        assertTrue(e.getMessage().contains("alpha_initializer"), e.getMessage());
        // Keras refuses a negative threshold (its computation then disagrees with its formula); so does ReLU, from a config too
        e = assertThrows(IllegalArgumentException.class, () -> new ReLU(6.0, 0, -0.5, null));
        assertTrue(e.getMessage().contains("ReLU: threshold must be >= 0, got -0.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> dev.javelin.highlevel.LayerRegistry.fromEntry(java.util.Map.of("class_name", "ReLU",
                "config", java.util.Map.of("name", "r", "threshold", -1.0))));
        assertTrue(e.getMessage().contains("threshold must be >= 0"), e.getMessage());
    }

    @Test
    void sharedLayerIsListedOnceWithItsUseCount() {
        Layer.resetNames();
        Tensor a = Input.of(4), b = Input.of(4);
        Dense shared = new Dense(3);
        Model m = new Model(java.util.List.of(a, b), java.util.List.of(new Add().apply(shared.apply(a), shared.apply(b))), "siamese");
        String s = m.summaryText();
        assertEquals(s.indexOf("dense (Dense)"), s.lastIndexOf("dense (Dense)"), s);
        assertTrue(s.contains("dense (Dense), used 2x"), s);
        assertTrue(s.contains("Total params: 15 "), s);
    }

    @Test
    void spectralNormalizationScalesTheKernelToUnitSpectralNorm() throws IOException {
        Dense dense = new Dense(3, null, false, new dev.javelin.highlevel.initializers.Zeros(), new Zeros(), null, null, null);
        SpectralNormalization sn = new SpectralNormalization(dense, 30, null);
        Tensor x = Tensors.of(new float[][] {{1, 0, 0}, {0, 1, 0}});
        sn.ensureBuilt(java.util.List.of(x.shape()));
        dense.kernel().store(Tensors.of(new float[][] {{0, 0, 1}, {0, 4, 0}, {2, 0, 0}}));   // singular values 4, 2, 1
        assertArrayEquals(new float[] {0, 0, 1, 0, 4, 0}, sn.apply(x, false).toFloatArray(), 0f, "inference leaves the kernel alone");
        assertArrayEquals(new float[] {0, 0, 0.25f, 0, 1, 0}, sn.apply(x, true).toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {0, 0, 0.25f, 0, 1, 0, 0.5f, 0, 0}, dense.kernel().stored().toFloatArray(), 1e-5f);
        Layer.resetNames();
        Tensor in = Input.of(3);
        Model m = new Model(in, new SpectralNormalization(new Dense(2), 1, null).apply(in));
        Path file = dir.resolve("sn.safetensors");
        m.save(file);
        Tensor probe = Tensors.of(new float[][] {{1, 2, 3}});
        assertArrayEquals(m.apply(probe, false).toFloatArray(), Model.load(file).apply(probe, false).toFloatArray(), 0f);
    }

    /** Keras's SpectralNormalization takes an Embedding's table when the layer has no kernel; it was refused. */
    @Test
    void spectralNormalizationTakesAnEmbeddingsTable() {
        Embedding emb = new Embedding(3, 3);
        SpectralNormalization sn = new SpectralNormalization(emb, 30, null);
        Tensor ids = Tensors.of(new long[] {0, 1, 2}).reshape(1, 3);
        sn.ensureBuilt(java.util.List.of(ids.shape()));
        emb.weights().get(0).store(Tensors.of(new float[][] {{0, 0, 1}, {0, 4, 0}, {2, 0, 0}}));  // singular values 4, 2, 1
        assertArrayEquals(new float[] {0, 0, 0.25f, 0, 1, 0, 0.5f, 0, 0}, sn.apply(ids, true).toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {0, 0, 0.25f, 0, 1, 0, 0.5f, 0, 0}, emb.weights().get(0).stored().toFloatArray(), 1e-5f);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new SpectralNormalization(new Flatten(), 1, null).ensureBuilt(java.util.List.of(Shape.of(2, 3))));
        assertTrue(e.getMessage().contains("'kernel' nor 'embeddings'"), e.getMessage());
    }

    @Test
    void reluOptionsFollowKeras() {
        Tensor v = Tensors.of(new float[] {Float.NEGATIVE_INFINITY, -2, 0.2f, 0.5f, 3, 8});
        assertArrayEquals(new float[] {0, 0, 0.2f, 0.5f, 3, 8}, new ReLU().apply(v).toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0, 0.5f, 3, 6}, new ReLU(6.0, 0, 0.5, null).apply(v).toFloatArray());
        assertArrayEquals(new float[] {-0.6f, 0.2f, 0.5f, 3, 8}, new LeakyReLU().apply(v.slice(0, 1, 6)).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {2, 3}, new Rescaling(1 / 255.0, 2).apply(Tensors.of(new int[] {0, 255})).toFloatArray(), 1e-6f);
    }
}
