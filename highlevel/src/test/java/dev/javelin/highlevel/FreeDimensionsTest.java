package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.layers.Conv1D;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Cropping1D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Embedding;
import dev.javelin.highlevel.layers.GlobalAveragePooling2D;
import dev.javelin.highlevel.layers.GlobalMaxPooling1D;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.MaxPooling1D;
import dev.javelin.highlevel.layers.MaxPooling2D;
import dev.javelin.highlevel.layers.PositionEmbedding;
import dev.javelin.highlevel.layers.RecurrentOptions;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Inputs with a dimension of any size ({@link InputLayer#ANY}, Keras's {@code None}) into layers with
 * windows: Keras builds {@code Input(shape=(None, 16))} into {@code Conv1D(8, 5)} and prints the free
 * dimensions as None; the placeholder size 1 did not fit a window wider than 1, so such a model was
 * refused while being built ("input size 1 is smaller than the window 3"), and summaries printed 1.
 */
class FreeDimensionsTest {
    @Test
    void aFunctionalTextConvNetTakesAnyLengthAndComputesAsItsLayers() {
        Tensor text = Input.of(InputLayer.ANY, 6);
        List<Layer> layers = List.of(new Conv1D(4, 3, "relu"), new MaxPooling1D(2), new Conv1D(3, 3), new GlobalMaxPooling1D(), new Dense(2));
        Tensor h = text;
        for (Layer l : layers) h = l.apply(h);
        Model model = new Model(text, h);
        for (int length : new int[] {8, 9, 31}) {
            Tensor x = Tensors.normal(Shape.of(2, length, 6), length);
            Tensor expected = x;
            for (Layer l : layers) expected = l.apply(expected);
            Tensor y = model.predict(x);
            assertEquals(Shape.of(2, 2), y.shape());
            assertArrayEquals(expected.toFloatArray(), y.toFloatArray());
        }
        String summary = model.summaryText();
        assertTrue(summary.contains("(None, None, 6)"), summary);
        assertTrue(summary.contains("(None, None, 4)"), summary);
        assertTrue(summary.contains("(None, None, 3)"), summary);
        assertTrue(summary.contains("(None, 2)"), summary);
    }

    @Test
    void aSequentialFullyConvolutionalNetTakesAnyImageSize() {
        Model model = new Sequential(new InputLayer(InputLayer.ANY, InputLayer.ANY, 2), new Conv2D(3, 3, "relu"), new MaxPooling2D(2),
                new Conv2D(2, 3), new GlobalAveragePooling2D(), new Dense(1));
        assertEquals(Shape.of(2, 1), model.predict(Tensors.normal(Shape.of(2, 13, 11, 2), 1)).shape());
        assertEquals(Shape.of(1, 1), model.predict(Tensors.normal(Shape.of(1, 8, 30, 2), 2)).shape());
        String summary = model.summaryText();
        assertTrue(summary.contains("(None, None, None, 3)"), summary);
        assertTrue(summary.contains("(None, None, None, 2)"), summary);
    }

    @Test
    void sequencesOfAnyLengthPrintNoneWhereLayersKeepTheLength() {
        Tensor ids = Input.of(new int[] {InputLayer.ANY}, DType.INT64, null);
        Tensor e = new Embedding(50, 8).apply(ids);
        Tensor p = new PositionEmbedding(16).apply(e); // at most 16 positions: sizes above are not needed to build
        Tensor s = new LSTM(5, RecurrentOptions.defaults().returnSequences(true)).apply(p);
        Model model = new Model(ids, new Dense(3).apply(s));
        String summary = model.summaryText();
        assertTrue(summary.contains("(None, None, 8)"), summary);
        assertTrue(summary.contains("(None, None, 5)"), summary);
        assertTrue(summary.contains("(None, None, 3)"), summary);
        assertEquals(Shape.of(2, 7, 3), model.predict(Tensors.randint(Shape.of(2, 7), 0, 50, 3)).shape());
        Model fixed = new Sequential(new InputLayer(5, 4), new Dense(2)); // no free dimension: the sizes as they are
        assertTrue(fixed.summaryText().contains("(None, 5, 2)"), fixed.summaryText());
    }

    @Test
    void weightsOnALastAxisOfAnySizeAreRefusedAsKerasRefusesThem() {
        // Flatten of [any, 4] has a last axis of any size: Dense built on the placeholder held 4 inputs and
        // failed at the first prediction ("expected last dimension 4, got inputs [2, 28]")
        Tensor x = Input.of(InputLayer.ANY, 4);
        Tensor flat = new dev.javelin.highlevel.layers.Flatten().apply(x);
        IllegalArgumentException functional = assertThrows(IllegalArgumentException.class, () -> new Dense(2).apply(flat));
        assertTrue(functional.getMessage().contains("(Dense): the last axis of its input (None, None) has any size"), functional.getMessage());
        IllegalArgumentException sequential = assertThrows(IllegalArgumentException.class, () -> new Sequential(
                new InputLayer(InputLayer.ANY, 4), new dev.javelin.highlevel.layers.Flatten(), new Dense(2)));
        assertTrue(sequential.getMessage().contains("(Dense): the last axis of its input (None, None) has any size"), sequential.getMessage());
        // ids of any length into an Embedding: the last axis is free, the weights do not depend on it
        Model ok = new Sequential(new InputLayer(new int[] {InputLayer.ANY}, DType.INT64, null), new Embedding(10, 3), new Dense(2));
        assertEquals(Shape.of(1, 6, 2), ok.predict(Tensors.randint(Shape.of(1, 6), 0, 10, 1)).shape());
    }

    @Test
    void aWindowNoSizeFitsIsStillRefusedNamingTheLayer() {
        Tensor x = Input.of(InputLayer.ANY, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Cropping1D(40000, 40000).apply(x));
        assertTrue(e.getMessage().contains("cropping1d"), e.getMessage());
        Tensor image = Input.of(InputLayer.ANY, 2, 1); // the fixed width 2 fits no 3x3 window, whatever the height
        IllegalArgumentException narrow = assertThrows(IllegalArgumentException.class, () -> new Conv2D(1, 3).apply(image));
        assertTrue(narrow.getMessage().contains("conv2d") && narrow.getMessage().contains("window"), narrow.getMessage());
    }

    @Test
    void aDeepPoolingStackBuildsAsInKeras() {
        // ten Conv1D(3) + MaxPooling1D(2) need a length of about 3,000: refused when 512 was the largest size tried
        Tensor in = Input.of(InputLayer.ANY, 1);
        Tensor h = in;
        for (int i = 0; i < 10; i++) h = new MaxPooling1D(2).apply(new Conv1D(2, 3, "relu").apply(h));
        Model m = new Model(in, new Dense(2).apply(new GlobalMaxPooling1D().apply(h)));
        assertEquals(Shape.of(2, 2), m.predict(Tensors.normal(Shape.of(2, 3100, 1), 4)).shape());
        assertTrue(m.summaryText().contains("(None, None, 2)"), m.summaryText());
    }
}
