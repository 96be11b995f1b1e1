package dev.javelin.highlevel.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Loss values against PyTorch's in float64 (torch.nn.functional: cross_entropy, nll_loss on
 * log(softmax), binary_cross_entropy(_with_logits), mse_loss, l1_loss, huber_loss), on these inputs,
 * as printed by highlevel/src/test/python/reference_values.py.
 */
class LossesTest {
    private static final double TOL = 1e-12;
    private static final Tensor LOGITS = Tensors.of(new double[][] {{2.0, 1.0, 0.1}, {0.5, -1.0, 3.0}, {0.0, 0.0, 0.0}});
    private static final Tensor LABELS = Tensors.of(new long[] {0, 2, 1});
    private static final double CE = 0.5371055447867752;

    private static Tensor oneHot() {
        return Tensors.of(new double[][] {{1, 0, 0}, {0, 0, 1}, {0, 1, 0}});
    }

    @Test
    void sparseCategoricalFromLogitsAndFromProbabilities() {
        Tensor l = new SparseCategoricalCrossentropy(true).call(LABELS, LOGITS);
        assertEquals(Shape.scalar(), l.shape());
        assertEquals(CE, l.item(), TOL);
        assertEquals(CE, new SparseCategoricalCrossentropy(false).call(LABELS, NN.softmax(LOGITS, -1)).item(), TOL);
        // labels [batch, 1], int32 or whole-number floats work as in Keras
        assertEquals(CE, new SparseCategoricalCrossentropy(true).call(LABELS.reshape(3, 1), LOGITS).item(), TOL);
        assertEquals(CE, new SparseCategoricalCrossentropy(true).call(LABELS.cast(DType.INT32), LOGITS).item(), TOL);
        assertEquals(CE, new SparseCategoricalCrossentropy(true).call(LABELS.cast(DType.FLOAT32), LOGITS).item(), TOL);
    }

    @Test
    void probabilitiesAreClippedAsKerasDoes() {
        Tensor p = Tensors.of(new double[][] {{1.0, 0.0}});
        double expected = -Math.log(1e-7);
        assertEquals(expected, new SparseCategoricalCrossentropy().call(Tensors.of(new long[] {1}), p).item(), 1e-9);
        assertEquals(expected, new CategoricalCrossentropy().call(Tensors.of(new double[][] {{0, 1}}), p).item(), 1e-9);
        // BCE per element: -log(1 - 1e-7) for the clipped 1, -log(1e-7) for the clipped 0
        assertEquals((expected - Math.log(1 - 1e-7)) / 2, new BinaryCrossentropy().call(Tensors.of(new double[][] {{1, 1}}), p).item(), 1e-9);
    }

    @Test
    void categoricalWithAndWithoutLabelSmoothing() {
        assertEquals(CE, new CategoricalCrossentropy(true).call(oneHot(), LOGITS).item(), TOL);
        assertEquals(CE, new CategoricalCrossentropy(false).call(oneHot(), NN.softmax(LOGITS, -1)).item(), TOL);
        // torch: cross_entropy(logits, one_hot * 0.9 + 0.1 / 3)
        assertEquals(0.6415499892312196, new CategoricalCrossentropy(true, 0.1).call(oneHot(), LOGITS).item(), TOL);
    }

    @Test
    void binaryFromLogitsAndProbabilities() {
        Tensor x = Tensors.of(new double[][] {{0.5, -1.5}, {2.0, 0.0}});
        Tensor t = Tensors.of(new double[][] {{1, 0}, {0, 1}});
        assertEquals(0.8738913634414442, new BinaryCrossentropy(true).call(t, x).item(), TOL);
        assertEquals(0.8738913634414439, new BinaryCrossentropy(false).call(t, x.sigmoid()).item(), 1e-10);
        // large logits stay finite (the stable form)
        Tensor big = Tensors.of(new double[][] {{1000.0, -1000.0}});
        assertEquals(1000.0, new BinaryCrossentropy(true).call(Tensors.of(new double[][] {{0, 1}}), big).item(), 1e-9);
        // smoothing 0.2: targets 1 -> 0.9, 0 -> 0.1
        Tensor smoothed = Tensors.of(new double[][] {{0.9, 0.1}, {0.1, 0.9}});
        assertEquals(new BinaryCrossentropy(true).call(smoothed, x).item(), new BinaryCrossentropy(true, 0.2).call(t, x).item(), TOL);
    }

    @Test
    void regressionLosses() {
        Tensor t = Tensors.of(new double[][] {{1.0, 2.0}, {3.0, -1.0}});
        Tensor p = Tensors.of(new double[][] {{1.5, 0.0}, {3.0, 2.0}});
        assertEquals(3.3125, new MeanSquaredError().call(t, p).item(), TOL);
        assertEquals(1.375, new MeanAbsoluteError().call(t, p).item(), TOL);
        assertEquals(1.03125, new Huber().call(t, p).item(), TOL);
        assertEquals(1.34375, new Huber(1.5).call(t, p).item(), TOL);
    }

    /**
     * A padding mask on the predictions (Masks.attach, as Embedding(maskZero) leaves it) holds with sample
     * weights too, as Keras's apply_mask: sum(loss * weight * mask) / count(mask); it was ignored when
     * weights were given (class weights included), so padded steps counted.
     */
    @Test
    void aMaskHoldsWithSampleWeights() {
        Tensor t = Tensors.of(new double[] {1, 2, 9, 3, -1, 4}).reshape(2, 3, 1);
        Tensor p = dev.javelin.highlevel.layers.Masks.attach(Tensors.of(new double[] {1.5, 0, 0, 3, 2, 1}).reshape(2, 3, 1),
                Tensors.of(new boolean[] {true, true, false, true, true, false}).reshape(2, 3));
        MeanSquaredError mse = new MeanSquaredError();
        double masked = (0.25 + 4 + 0 + 9) / 4; // the two padded steps (errors 81 and 9) left out
        assertEquals(masked, mse.call(t, p).item(), 1e-6);
        assertEquals(masked, mse.call(t, p, Tensors.of(new double[] {1, 1})).item(), 1e-6);
        assertEquals((2 * 0.25 + 2 * 4 + 0.5 * 9) / 4, mse.call(t, p, Tensors.of(new double[] {2, 0.5})).item(), 1e-6);
    }

    @Test
    void targetsOfRankOneLessAreAligned() {
        Tensor t = Tensors.of(new float[] {1, 2, 3});
        Tensor p = Tensors.of(new float[] {1, 2, 5}).reshape(3, 1);
        assertEquals(4.0 / 3, new MeanSquaredError().call(t, p).item(), 1e-6);
        assertEquals(4.0 / 3, new MeanSquaredError().call(p, t).item(), 1e-6);
        assertEquals(DType.FLOAT32, new MeanSquaredError().call(Tensors.of(new long[] {1, 2}), Tensors.of(new float[] {1, 2})).dtype());
    }

    @Test
    void badShapesAreRefusedWithTheShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SparseCategoricalCrossentropy(true).call(Tensors.of(new long[] {0, 1}), LOGITS));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CategoricalCrossentropy().call(LABELS, LOGITS));
        assertTrue(e.getMessage().contains("SparseCategoricalCrossentropy"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new MeanSquaredError().call(Tensors.of(new float[] {1, 2}), Tensors.of(new float[] {1, 2, 3})));
        assertThrows(IllegalArgumentException.class, () -> new Huber(0));
    }

    @Test
    void lookupByKerasNamesAndConfigs() {
        assertInstanceOf(SparseCategoricalCrossentropy.class, Losses.get("sparse_categorical_crossentropy"));
        assertInstanceOf(SparseCategoricalCrossentropy.class, Losses.get("SparseCategoricalCrossentropy"));
        assertInstanceOf(MeanSquaredError.class, Losses.get("mse"));
        assertInstanceOf(MeanAbsoluteError.class, Losses.get("mae"));
        assertInstanceOf(Huber.class, Losses.get("huber"));
        assertInstanceOf(BinaryCrossentropy.class, Losses.get("binary_crossentropy"));
        assertInstanceOf(CategoricalCrossentropy.class, Losses.get("categorical_crossentropy"));
        assertThrows(IllegalArgumentException.class, () -> Losses.get("hinge"));
        assertEquals("sparse_categorical_crossentropy", Losses.get("sparse_categorical_crossentropy").name());
        for (Loss l : new Loss[] {new SparseCategoricalCrossentropy(true), new CategoricalCrossentropy(true, 0.1),
                new BinaryCrossentropy(false, 0.2), new Huber(2.0), new MeanSquaredError(), new MeanAbsoluteError()}) {
            Map<String, Object> c = l.getConfig();
            assertEquals(c, Losses.fromConfig(c).getConfig());
        }
    }
}
