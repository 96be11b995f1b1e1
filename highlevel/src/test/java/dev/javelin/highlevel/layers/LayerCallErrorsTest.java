package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Sequential;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import org.junit.jupiter.api.Test;

/** A bad input that an op inside a layer refuses is reported against that layer, with its inputs. */
class LayerCallErrorsTest {
    private static Tensor normal(int... dims) {
        return Tensors.normal(Shape.of(dims), 1);
    }

    @Test
    void anOpErrorInsideALayerNamesTheLayerAndItsInputs() {
        LayerNormalization norm = new LayerNormalization(1e-3, true, true, "norm");
        norm.apply(normal(2, 5));
        var e = assertThrows(LayerCallException.class, () -> norm.apply(normal(2, 6)));
        assertEquals("norm", e.layerName());
        assertTrue(e.getMessage().startsWith("norm (LayerNormalization): ") && e.getMessage().contains("float32[2, 6]")
                && e.getMessage().contains("[5]"), e.getMessage());
        assertTrue(e.getCause() instanceof IllegalArgumentException, "the op's own error is kept as the cause");
    }

    @Test
    void anIdOutsideTheVocabularyNamesTheEmbeddingCompiledOrNot() {
        // gather's IndexOutOfBoundsException named no layer; the usual cause is an Embedding one id too small
        Model m = new Sequential(new InputLayer(new int[] {3}, dev.javelin.tensor.DType.INT64, null),
                new Embedding(5, 2, new dev.javelin.highlevel.initializers.Zeros(), "words"));
        Tensor ids = Tensors.of(new long[] {1, 2, 5}, 1, 3);
        for (Runnable call : new Runnable[] {() -> m.call(ids, false), () -> m.predict(ids)}) {
            var e = assertThrows(LayerCallException.class, call::run);
            assertEquals("words", e.layerName());
            assertTrue(e.getMessage().startsWith("words (Embedding): ") && e.getMessage().contains("index 5")
                    && e.getMessage().contains("int64[1, 3]"), e.getMessage());
        }
    }

    /** An empty sequence: "same" and "causal" padding said "input size 2 is smaller than the window 3 with padding valid". */
    @Test
    void anEmptySequenceIsRefusedByTheOneDimensionalWindows() {
        Tensor empty = Tensors.zeros(2, 0, 3);
        for (String padding : new String[] {"same", "causal", "valid"}) {
            Conv1D conv = new Conv1D(2, 3, 1, padding, 1, 1, null, true, new dev.javelin.highlevel.initializers.GlorotUniform(),
                    new dev.javelin.highlevel.initializers.Zeros(), null, null, "conv_" + padding);
            var e = assertThrows(IllegalArgumentException.class, () -> conv.apply(empty));
            assertTrue(e.getMessage().startsWith("conv_" + padding + " (Conv1D): the sequence is empty"), e.getMessage());
        }
        for (Layer pool : new Layer[] {new MaxPooling1D(2, 1, "same", "max_same"), new AveragePooling1D(2, 1, "same", "avg_same")}) {
            var e = assertThrows(IllegalArgumentException.class, () -> pool.apply(empty));
            assertTrue(e.getMessage().startsWith(pool.name() + " (") && e.getMessage().contains("the sequence is empty"), e.getMessage());
        }
    }

    /** A window wider than the input is refused in the layer's own terms (Conv1D runs as a 2-D op inside). */
    @Test
    void windowsWiderThanTheInputAreRefusedInTheLayersTerms() {
        Conv1D conv = new Conv1D(3, 4, 1, "valid", 2, 1, null, true, new dev.javelin.highlevel.initializers.GlorotUniform(),
                new dev.javelin.highlevel.initializers.Zeros(), null, null, "conv");
        var e = assertThrows(LayerCallException.class, () -> conv.apply(normal(2, 6, 2)));
        assertTrue(e.getMessage().startsWith("conv (Conv1D): conv: input size 6 is smaller than the window 7 with padding \"valid\"")
                && e.getMessage().contains("float32[2, 6, 2]"), e.getMessage());
        Conv1D causal = new Conv1D(3, 4, 1, "causal", 2, 1, null, true, new dev.javelin.highlevel.initializers.GlorotUniform(),
                new dev.javelin.highlevel.initializers.Zeros(), null, null, "causal");
        assertEquals(Shape.of(2, 6, 3), causal.apply(normal(2, 6, 2)).shape(), "causal padding makes any length fit");
        var pool = assertThrows(LayerCallException.class, () -> new MaxPooling2D(3).apply(normal(1, 2, 5, 1)));
        assertTrue(pool.getMessage().contains("(MaxPooling2D)") && pool.getMessage().contains("smaller than the window 3"), pool.getMessage());
    }

    @Test
    void theInnermostLayerIsNamedOnceAndALayersOwnMessageIsKept() {
        Model model = new Sequential(new InputLayer(3, 5), new Dense(4), new BatchNormalization(0.99, 1e-3, true, true, "bn"));
        model.predict(normal(2, 3, 5));
        BatchNormalization bn = (BatchNormalization) model.getLayer("bn");
        var e = assertThrows(LayerCallException.class, () -> bn.apply(normal(2, 3, 6)));
        assertTrue(e.getMessage().startsWith("bn (BatchNormalization): sub: "), e.getMessage());

        Bidirectional bidirectional = new Bidirectional(new LSTM(3));
        bidirectional.apply(normal(1, 4, 3));
        var inner = assertThrows(IllegalArgumentException.class, () -> bidirectional.apply(normal(1, 4, 2)));
        assertTrue(inner.getMessage().startsWith("forward_") && inner.getMessage().contains("(LSTM): expected 3 features"),
                "the recurrent layer's own message, not prefixed again: " + inner.getMessage());
    }

    @Test
    void hugeDilationsGiveAClearErrorNotAnOverflowedShape() {
        // a dilation near 2^31 (a damaged or hostile model file) overflowed the window arithmetic: the summary's
        // shapes and the computed ones disagreed ("dense: expected last dimension 1200, got 1440")
        int huge = Integer.MAX_VALUE;
        Conv2D same = new Conv2D(2, new int[] {3, 3}, new int[] {1, 1}, "same", new int[] {huge, 1}, 1, null, true,
                new dev.javelin.highlevel.initializers.GlorotUniform(), new dev.javelin.highlevel.initializers.Zeros(), null, null, "wide");
        var e = assertThrows(LayerCallException.class, () -> same.apply(normal(1, 12, 12, 1)));
        assertTrue(e.getMessage().startsWith("wide (Conv2D): ") && e.getMessage().contains("dilation " + huge), e.getMessage());
        Conv2D valid = new Conv2D(2, new int[] {3, 3}, new int[] {1, 1}, "valid", new int[] {huge, 1}, 1, null, true,
                new dev.javelin.highlevel.initializers.GlorotUniform(), new dev.javelin.highlevel.initializers.Zeros(), null, null, "narrow");
        var small = assertThrows(IllegalArgumentException.class, () -> valid.computeOutputShape(Shape.of(1, 12, 12, 1)));
        assertTrue(small.getMessage().contains("input size 12 is smaller than the window 4294967295"), small.getMessage());
        Conv2DTranspose up = new Conv2DTranspose(2, new int[] {3, 3}, new int[] {huge, 1}, "valid", new int[] {1, 1}, null, true,
                new dev.javelin.highlevel.initializers.GlorotUniform(), new dev.javelin.highlevel.initializers.Zeros(), null, null, "up");
        var big = assertThrows(IllegalArgumentException.class, () -> up.computeOutputShape(Shape.of(1, 12, 12, 1)));
        assertTrue(big.getMessage().contains("up (Conv2DTranspose): a result dimension would be"), big.getMessage());
    }

    @Test
    void aSequentialWithAnInputLayerChecksItsInputs() {
        Model model = new Sequential(new InputLayer(4), new Dense(2));
        // a rank-1 input used to pass through Dense as a vector and return shape [2]
        var rank = assertThrows(IllegalArgumentException.class, () -> model.predict(normal(4)));
        assertTrue(rank.getMessage().contains("(InputLayer): expected inputs of shape [batch, 4], got [4]"), rank.getMessage());
        Model conv = new Sequential(new InputLayer(5, 5, 1), new Conv2D(2, 3));
        var missingChannels = assertThrows(IllegalArgumentException.class, () -> conv.predict(normal(2, 5, 5)));
        assertTrue(missingChannels.getMessage().contains("[batch, 5, 5, 1], got [2, 5, 5]"), missingChannels.getMessage());
        assertEquals(Shape.of(3, 2), model.predict(normal(3, 4)).shape());
    }
}
