package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.layers.AveragePooling1D;
import dev.javelin.highlevel.layers.Bidirectional;
import dev.javelin.highlevel.layers.Conv1D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Embedding;
import dev.javelin.highlevel.layers.GRU;
import dev.javelin.highlevel.layers.GlobalAveragePooling1D;
import dev.javelin.highlevel.layers.GlobalMaxPooling1D;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.Masking;
import dev.javelin.highlevel.layers.MaxPooling1D;
import dev.javelin.highlevel.layers.RecurrentOptions;
import dev.javelin.highlevel.layers.SimpleRNN;
import dev.javelin.highlevel.layers.TimeDistributed;
import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.losses.SparseCategoricalCrossentropy;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.RandomTensors;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sequence layers as a Keras user meets them: summary shapes and parameter counts (the numbers
 * Keras 3 prints for the same layers), configs that rebuild the same layer, save/load round trips
 * (wrappers included), dropout, and the errors for inputs that cannot be right.
 */
class SequenceLayersTest {
    @TempDir
    Path dir;

    private static final RecurrentOptions SEQ = RecurrentOptions.defaults().returnSequences(true);

    private static Tensor x(long seed, int... dims) {
        return new RandomTensors(seed).normal(Shape.of(dims));
    }

    /** Output shape (batch as 1) and count_params of each layer on [None, 10, 8], as Keras reports them. */
    @Test
    void shapesAndParameterCountsMatchKeras() {
        expect(new SimpleRNN(32), Shape.of(1, 32), 1312);                         // 32*(8+32+1)
        expect(new LSTM(32), Shape.of(1, 32), 5248);                              // 4*32*(8+32+1)
        expect(new LSTM(32, SEQ), Shape.of(1, 10, 32), 5248);
        expect(new GRU(32), Shape.of(1, 32), 4032);                               // 3*32*(8+32+2), reset_after
        expect(new GRU(32, RecurrentOptions.defaults(), false, null), Shape.of(1, 32), 3936);
        expect(new Bidirectional(new LSTM(16, SEQ)), Shape.of(1, 10, 32), 3200);
        expect(new Bidirectional(new GRU(16), "sum"), Shape.of(1, 16), 2 * 3 * 16 * (8 + 16 + 2));
        expect(new TimeDistributed(new Dense(5)), Shape.of(1, 10, 5), 45);
        expect(new Conv1D(6, 3), Shape.of(1, 8, 6), 3 * 8 * 6 + 6);
        expect(conv(6, 3, 2, "same", 1, 2), Shape.of(1, 5, 6), 3 * 4 * 6 + 6);
        expect(conv(6, 3, 1, "causal", 2, 1), Shape.of(1, 10, 6), 3 * 8 * 6 + 6);
        expect(new MaxPooling1D(2), Shape.of(1, 5, 8), 0);
        expect(new AveragePooling1D(3, 2, "same", null), Shape.of(1, 5, 8), 0);
        expect(new GlobalMaxPooling1D(), Shape.of(1, 8), 0);
        expect(new GlobalAveragePooling1D(true, null), Shape.of(1, 1, 8), 0);
    }

    private static Conv1D conv(int filters, int k, int stride, String padding, int dilation, int groups) {
        return new Conv1D(filters, k, stride, padding, dilation, groups, null, true, new GlorotUniform(), new Zeros(), null, null, null);
    }

    private static void expect(Layer layer, Shape out, long params) {
        Model m = new Sequential(new InputLayer(10, 8), layer);
        assertEquals(out, layer.outputShape(), layer.toString());
        assertEquals(params, m.countParams(), layer.toString());
        assertTrue(m.summaryText().contains(String.format("%,d", params)), m.summaryText());
        Tensor y = m.predict(x(1, 3, 10, 8));
        assertEquals(out.with(0, 3), y.shape(), layer.toString());
    }

    @Test
    void configsRebuildTheSameLayer() {
        List<Layer> layers = List.of(new SimpleRNN(3, SEQ.goBackwards(true).dropout(0.25)), new LSTM(4, SEQ, false, "l"),
                new GRU(5, RecurrentOptions.defaults().recurrentDropout(0.1).returnState(true), false, null),
                new Bidirectional(new GRU(2, SEQ), "ave"), new TimeDistributed(new Dense(3, "relu")), conv(4, 3, 1, "causal", 2, 2),
                new MaxPooling1D(3, 1, "same", null), new AveragePooling1D(2), new GlobalMaxPooling1D(true, null),
                new GlobalAveragePooling1D(), new Masking(-1.0), new Embedding(10, 4, true));
        for (Layer l : layers) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("class_name", l.getClass().getSimpleName());
            entry.put("config", l.getConfig());
            Layer back = LayerRegistry.fromEntry(entry);
            assertEquals(l.getClass(), back.getClass());
            assertEquals(l.getConfig(), back.getConfig(), l.toString());
        }
        assertEquals("orthogonal", ((Map<?, ?>) new LSTM(2).getConfig().get("recurrent_initializer")).get("class_name").toString()
                .toLowerCase());
        assertEquals(true, new GRU(2).getConfig().get("reset_after"));
    }

    @Test
    void saveAndLoadRoundTripsWrappersIncluded() throws IOException {
        Model m = new Sequential(new InputLayer(7, 3), new Masking(0.0), new Bidirectional(new LSTM(4, SEQ)),
                new TimeDistributed(new Dense(5, "tanh")), new Bidirectional(new SimpleRNN(3, SEQ), "mul"),
                conv(4, 3, 1, "causal", 2, 1), new MaxPooling1D(2), new GRU(3, SEQ.goBackwards(true)),
                new GlobalMaxPooling1D(), new Dense(2));
        Tensor in = x(2, 4, 7, 3);
        Tensor before = m.predict(in);
        Path file = dir.resolve("seq.safetensors");
        m.save(file);
        Model back = Model.load(file);
        assertEquals(m.summaryText(), back.summaryText());
        TensorAssert.assertClose(before, back.predict(in), 0, 0);
    }

    /** A masked sequence model trains the same compiled (the time loop unrolled into the traced step) as eager. */
    @Test
    void compiledTrainStepMatchesEagerWithMasks() {
        long[] ids = {3, 1, 4, 1, 5, 0, 0, 2, 6, 5, 3, 5, 8, 9, 7, 0, 0, 0};
        Tensor x = Tensors.of(ids, 3, 6);
        Tensor y = Tensors.of(new long[] {1, 0, 2, 2, 1, 0, 1, 1, 0, 2, 2, 1, 0, 1, 2, 0, 0, 0}, 3, 6);
        double[][] losses = new double[2][];
        for (int run = 0; run < 2; run++) {
            Seeds.setGlobal(5);
            Layer.resetNames();
            Model m = new Sequential(new InputLayer(new int[] {6}, DType.INT64, null), new Embedding(10, 4, true),
                    new Bidirectional(new GRU(3, SEQ)), new LSTM(3, SEQ.goBackwards(true)), new TimeDistributed(new Dense(3)));
            m.compile(CompileOptions.builder().optimizer("adam").loss(new SparseCategoricalCrossentropy(true)).jitCompile(run == 1).build());
            losses[run] = new double[3];
            for (int step = 0; step < 3; step++) losses[run][step] = m.trainOnBatch(x, y).get("loss");
        }
        for (int step = 0; step < 3; step++) assertEquals(losses[0][step], losses[1][step], 1e-5, "step " + step);
        assertTrue(losses[1][2] < losses[1][0], java.util.Arrays.toString(losses[1]));
    }

    @Test
    void recurrentDropoutAppliesOnlyWhenTraining() {
        LSTM l = new LSTM(6, SEQ.dropout(0.5).recurrentDropout(0.5).seed(3L));
        Tensor in = x(3, 2, 5, 4);
        Tensor inference = l.apply(in, false);
        TensorAssert.assertClose(inference, l.apply(in, false), 0, 0);
        Tensor trained = l.apply(in, true);
        assertNotEquals(0.0, trained.sub(inference).abs().sum().item());
        LSTM plain = new LSTM(6, SEQ);
        plain.ensureBuilt(List.of(in.shape()));
        for (int i = 0; i < 3; i++) plain.weights().get(i).store(l.weights().get(i).stored());
        TensorAssert.assertClose(inference, plain.apply(in, true), 0, 0);
    }

    @Test
    void returnStateAndInitialStates() {
        LSTM l = new LSTM(3, SEQ.returnState(true));
        Tensor in = x(4, 2, 6, 2);
        List<Tensor> all = l.callWithStates(in, null, null, false);
        assertEquals(3, all.size());
        TensorAssert.assertClose(all.get(0).narrow(1, 5, 1).squeeze(1), all.get(1), 0, 0);
        // continuing from the states of the first half gives the second half of the whole run
        List<Tensor> first = l.callWithStates(in.narrow(1, 0, 3), null, null, false);
        List<Tensor> second = l.callWithStates(in.narrow(1, 3, 3), first.subList(1, 3), null, false);
        TensorAssert.assertClose(all.get(0).narrow(1, 3, 3), second.get(0), 1e-6, 1e-6);
    }

    @Test
    void badInputsNameTheLayerTheShapesAndTheExpectation() {
        LSTM lstm = new LSTM(4, RecurrentOptions.defaults(), true, "enc");
        IllegalArgumentException rank2 = assertThrows(IllegalArgumentException.class, () -> lstm.apply(Tensors.zeros(2, 5)));
        assertTrue(rank2.getMessage().contains("enc (LSTM)") && rank2.getMessage().contains("[2, 5]")
                && rank2.getMessage().contains("rank 3"), rank2.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> new GRU(2, RecurrentOptions.defaults(), true, "g").apply(Tensors.zeros(2, 0, 3)));
        assertTrue(empty.getMessage().contains("g (GRU)") && empty.getMessage().contains("empty")
                && empty.getMessage().contains("[2, 0, 3]"), empty.getMessage());
        SimpleRNN rnn = new SimpleRNN(2, RecurrentOptions.defaults(), "r");
        Tensor mask = Tensors.ones(Shape.of(2, 4), DType.BOOL);
        IllegalArgumentException badMask = assertThrows(IllegalArgumentException.class,
                () -> rnn.apply(Tensors.zeros(2, 5, 3), mask, false));
        assertTrue(badMask.getMessage().contains("r (SimpleRNN)") && badMask.getMessage().contains("[2, 4]")
                && badMask.getMessage().contains("[2, 5, 3]") && badMask.getMessage().contains("[batch, time]"), badMask.getMessage());
        IllegalArgumentException features = assertThrows(IllegalArgumentException.class, () -> {
            rnn.apply(Tensors.zeros(2, 5, 3));
            rnn.apply(Tensors.zeros(2, 5, 4));
        });
        assertTrue(features.getMessage().contains("expected 3 features"), features.getMessage());
        IllegalArgumentException state = assertThrows(IllegalArgumentException.class,
                () -> new LSTM(4).callWithStates(Tensors.zeros(2, 5, 3), List.of(Tensors.zeros(2, 4)), null, false));
        assertTrue(state.getMessage().contains("expected 2 initial state"), state.getMessage());
        IllegalArgumentException pool = assertThrows(IllegalArgumentException.class,
                () -> new GlobalAveragePooling1D(false, "gap").apply(Tensors.zeros(2, 5, 3), Tensors.ones(Shape.of(5, 2), DType.BOOL), false));
        assertTrue(pool.getMessage().contains("gap (GlobalAveragePooling1D)") && pool.getMessage().contains("[5, 2]"), pool.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv1D(3, 2).apply(Tensors.zeros(2, 5)));
        assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new LSTM(2), "concatenate"));
    }
}
