package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.layers.BatchNormalization;
import dev.javelin.highlevel.layers.Concatenate;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.MaxPooling2D;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.highlevel.regularizers.L2;
import dev.javelin.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sequential, functional and subclassed models: shapes, summaries, training, the overridable step. */
class ModelTest {
    static Model convnet() {
        return new Sequential(new InputLayer(28, 28, 1), new Conv2D(32, 3, "relu"), new MaxPooling2D(2), new Conv2D(64, 3, "relu"),
                new MaxPooling2D(2), new Flatten(), new Dropout(0.5), new Dense(10, "softmax"));
    }

    @Test
    void convnetSummaryMatchesKeras() {
        Layer.resetNames();
        String s = convnet().summaryText();
        assertTrue(s.contains("Total params: 34,826"), s);
        assertTrue(s.contains("Trainable params: 34,826"), s);
        assertTrue(s.contains("Non-trainable params: 0"), s);
        assertTrue(s.contains("conv2d (Conv2D)") && s.contains("(None, 26, 26, 32)") && s.contains("320"), s);
        assertTrue(s.contains("conv2d_1 (Conv2D)") && s.contains("(None, 11, 11, 64)") && s.contains("18,496"), s);
        assertTrue(s.contains("max_pooling2d_1 (MaxPooling2D)") && s.contains("(None, 5, 5, 64)"), s);
        assertTrue(s.contains("flatten (Flatten)") && s.contains("(None, 1600)"), s);
        assertTrue(s.contains("dense (Dense)") && s.contains("16,010"), s);
    }

    @Test
    void mlpSummaryMatchesKeras() {
        Model mlp = new Sequential(Input.of(784), new Dense(256, "relu"), new Dense(10, "softmax"));
        String s = mlp.summaryText();
        assertTrue(s.contains("Total params: 203,530"), s);
        assertEquals(203_530, mlp.countParams());
        assertTrue(s.contains("(None, 256)") && s.contains("200,960") && s.contains("2,570"), s);
    }

    @Test
    void batchNormCountsNonTrainableParams() {
        Model m = new Sequential(Input.of(8), new Dense(4), new BatchNormalization());
        String s = m.summaryText();
        assertTrue(s.contains("Total params: 52") && s.contains("Trainable params: 44") && s.contains("Non-trainable params: 8"), s);
    }

    @Test
    void sequentialFitLearnsAndIsReproducible() {
        Toy data = Toy.of(256, 1);
        double[] finalLoss = new double[2];
        for (int run = 0; run < 2; run++) {
            Seeds.setGlobal(5);
            Model m = new Sequential(Input.of(4), new Dense(16, "relu"), new Dropout(0.1), new Dense(3, "softmax"));
            m.compile(Adam.builder().learningRate(0.03).build(), dev.javelin.highlevel.losses.Losses.get("sparse_categorical_crossentropy"),
                    "accuracy");
            History h = m.fit(data.x(), data.y(), FitOptions.builder().batchSize(32).epochs(15).verbose(0).build());
            List<Double> loss = h.history().get("loss");
            assertEquals(15, loss.size());
            assertTrue(loss.get(14) < loss.get(0) * 0.6, "loss " + loss);
            assertTrue(h.last("accuracy") > 0.8, h.toString());
            finalLoss[run] = loss.get(14);
        }
        assertEquals(finalLoss[0], finalLoss[1], 0.0, "same seed, same run");
    }

    @Test
    void evaluatePredictTrainOnBatchAndValidation() {
        Toy data = Toy.of(128, 2);
        Model m = new Sequential(Input.of(4), new Dense(3, "softmax"));
        m.compile(new SGD(0.5), dev.javelin.highlevel.losses.Losses.get("sparse_categorical_crossentropy"), "accuracy");
        History h = m.fit(data.x(), data.y(), FitOptions.builder().batchSize(16).epochs(3).validationSplit(0.25).verbose(0).build());
        assertTrue(h.history().containsKey("val_loss") && h.history().containsKey("val_accuracy"), h.toString());
        Toy val = Toy.of(20, 9);
        History hv = m.fit(data.x(), data.y(), FitOptions.builder().batchSize(16).epochs(1).shuffle(false)
                .validationData(val.x(), val.y()).verbose(0).build());
        Map<String, Double> direct = m.evaluate(val.x(), val.y(), 16);
        assertEquals(direct.get("loss"), hv.last("val_loss"), 1e-6, "val_loss is evaluate() on the validation data after the epoch");
        Map<String, Double> ev = m.evaluate(data.x(), data.y(), 50);
        assertTrue(ev.get("loss") > 0 && ev.get("accuracy") > 0.3, ev.toString());
        Tensor p = m.predict(data.x(), 50);
        assertEquals(List.of(128, 3), List.of(p.dim(0), p.dim(1)));
        float[] row = p.toFloatArray();
        assertEquals(1.0, row[0] + row[1] + row[2], 1e-5);
        Map<String, Double> before = m.evaluate(data.x(), data.y(), 128);
        Map<String, Double> step = m.trainOnBatch(data.x(), data.y());
        assertEquals(before.get("loss"), step.get("loss"), 1e-5, "trainOnBatch reports the loss before its update");
        assertTrue(m.evaluate(data.x(), data.y(), 128).get("loss") < before.get("loss"));
    }

    @Test
    void functionalModelWithTwoInputsSharedLayerAndTwoOutputs() {
        Tensor a = Input.of(4);
        Tensor b = Input.of(4);
        Dense shared = new Dense(5, "relu");
        Tensor merged = new Concatenate().apply(shared.apply(a), shared.apply(b));
        Tensor out1 = new Dense(3, "softmax").apply(merged);
        Tensor out2 = new Dense(3, "softmax").apply(shared.apply(a));
        Model m = new Model(List.of(a, b), List.of(out1, out2), "two_heads");
        String s = m.summaryText();
        assertTrue(s.contains("Connected to") && s.contains("(None, 10)"), s);
        assertEquals(4 * 5 + 5 + 10 * 3 + 3 + 5 * 3 + 3, m.countParams(), "the shared layer counts once");
        Toy data = Toy.of(64, 3);
        List<Tensor> outs = m.predictOutputs(List.of(data.x(), data.x()), 16);
        assertEquals(2, outs.size());
        m.compile(new Adam(), dev.javelin.highlevel.losses.Losses.get("sparse_categorical_crossentropy"));
        History h = m.fit(List.of(data.x(), data.x()), List.of(data.y(), data.y()),
                FitOptions.builder().batchSize(16).epochs(4).verbose(0).build());
        assertTrue(h.last("loss") < h.history().get("loss").get(0));
    }

    /** A subclassed model: layers in fields, its own call. */
    static final class TwoLayer extends Model {
        final Dense hidden = new Dense(8, "tanh");
        final Dense out = new Dense(3, "softmax");

        @Override
        public Tensor call(Tensor x, boolean training) {
            return out.apply(hidden.apply(x, training), training);
        }
    }

    @Test
    void subclassedModelTracksItsLayersAndTrains() {
        TwoLayer m = new TwoLayer();
        Toy data = Toy.of(128, 4);
        m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
        History h = m.fit(data.x(), data.y(), FitOptions.builder().batchSize(32).epochs(3).verbose(0).build());
        assertEquals(List.of(m.hidden, m.out), m.layers());
        assertEquals(4 * 8 + 8 + 8 * 3 + 3, m.countParams());
        assertTrue(h.last("loss") < h.history().get("loss").get(0));
    }

    @Test
    void trainStepCanBeOverridden() {
        int[] calls = {0};
        Model m = new Sequential(List.of(new InputLayer(4), new Dense(3, "softmax")), null) {
            @Override
            public Tensor trainStep(Batch batch) {
                calls[0]++;
                return super.trainStep(batch);
            }
        };
        m.compile(CompileOptions.builder().optimizer("sgd").loss("sparse_categorical_crossentropy").jitCompile(false).build());
        Toy data = Toy.of(40, 5);
        m.fit(data.x(), data.y(), FitOptions.builder().batchSize(16).epochs(2).verbose(0).build());
        assertEquals(6, calls[0], "run op by op: 3 batches (16, 16, 8) per epoch");
    }

    @Test
    void regularizationAddsToTheLoss() {
        Toy data = Toy.of(32, 6);
        Seeds.setGlobal(9);
        Model plain = new Sequential(Input.of(4), new Dense(3, "softmax"));
        Seeds.setGlobal(9);
        Model reg = new Sequential(Input.of(4), new Dense(3, "softmax", new L2(0.5)));
        plain.compile("sgd", "sparse_categorical_crossentropy");
        reg.compile("sgd", "sparse_categorical_crossentropy");
        double lp = plain.evaluate(data.x(), data.y()).get("loss");
        double lr = reg.evaluate(data.x(), data.y()).get("loss");
        Tensor k = reg.trainableVariables().get(0).value();
        assertEquals(lp + 0.5 * k.mul(k).sum().item(), lr, 1e-5);
        assertEquals(1, reg.losses().size());
    }

    @Test
    void batchNormUsesBatchStatisticsInTrainingAndMovingOnesInInference() {
        BatchNormalization bn = new BatchNormalization(0.5, 1e-3, true, true, null);
        Model m = new Sequential(Input.of(2), bn);
        Toy data = Toy.of(16, 7);
        Tensor x = data.x().narrow(1, 0, 2).mul(3.0).add(1.0);
        Tensor inference = m.apply(x, false);
        assertArrayEquals(x.toFloatArray(), inference.toFloatArray(), 1e-2f, "fresh moving stats: mean 0, var 1");
        Tensor trained = m.apply(x, true);
        float[] t = trained.toFloatArray();
        double mean = 0;
        for (int i = 0; i < t.length; i += 2) mean += t[i];
        assertEquals(0, mean / 16, 1e-5, "training normalizes with the batch mean");
        assertNotEquals(0.0, bn.movingMean().stored().toFloatArray()[0], "moving mean moved");
    }

    @Test
    void fitNeedsCompileAndMatchingRows() {
        Model m = new Sequential(Input.of(4), new Dense(3));
        Toy data = Toy.of(8, 8);
        assertThrows(IllegalStateException.class, () -> m.fit(data.x(), data.y(), 4, 1));
        m.compile("sgd", "mse");
        var e = assertThrows(IllegalArgumentException.class, () -> m.fit(data.x(), data.y().narrow(0, 0, 5), 4, 1));
        assertTrue(e.getMessage().contains("rows"), e.getMessage());
    }
}
