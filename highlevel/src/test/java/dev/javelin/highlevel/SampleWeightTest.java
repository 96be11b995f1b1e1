package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Embedding;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** sampleWeight and classWeight in fit, sampleWeight in evaluate, compiled and op by op. */
class SampleWeightTest {
    private static Model model(boolean jit) {
        Seeds.setGlobal(41);
        Model m = new Sequential(Input.of(4), new Dense(6, "tanh"), new Dense(3, "softmax"));
        m.compile(CompileOptions.builder().optimizer("sgd").loss("sparse_categorical_crossentropy").metrics("accuracy")
                .weightedMetrics("accuracy").jitCompile(jit).build());
        return m;
    }

    private static float[] flat(Model m) {
        List<Variable> ws = m.weights();
        int n = 0;
        for (Variable v : ws) n += (int) v.shape().size();
        float[] out = new float[n];
        int at = 0;
        for (Variable v : ws) {
            float[] f = v.stored().toFloatArray();
            System.arraycopy(f, 0, out, at, f.length);
            at += f.length;
        }
        return out;
    }

    @Test
    void evaluateWeighsEachExample() {
        Toy data = Toy.of(20, 1);
        float[] w = new float[20];
        for (int i = 0; i < 20; i += 2) w[i] = 1; // every other example counts, the rest weigh 0
        int[] kept = new int[10];
        for (int i = 0; i < 10; i++) kept[i] = 2 * i;
        Tensor keptX = HostBatches.rows(data.x(), kept, 0, 10);
        Tensor keptY = HostBatches.rows(data.y(), kept, 0, 10);
        for (boolean jit : new boolean[] {true, false}) {
            Model m = model(jit);
            Map<String, Double> weighted = m.evaluate(data.x(), data.y(), Tensors.of(w), 20);
            Map<String, Double> subset = m.evaluate(keptX, keptY, 10);
            Map<String, Double> unweighted = m.evaluate(data.x(), data.y(), 20);
            assertEquals(subset.get("weighted_accuracy"), weighted.get("weighted_accuracy"), 1e-6,
                    "weighted metrics: weighted mean over the kept examples");
            assertEquals(unweighted.get("accuracy"), weighted.get("accuracy"), 1e-6, "metrics ignore sample weights, as Keras's");
            assertEquals(true, Math.abs(unweighted.get("accuracy") - subset.get("accuracy")) > 1e-3, "the weights matter here");
            assertEquals(subset.get("loss") * 10 / 20, weighted.get("loss"), 1e-6, "loss: weighted sum over the batch size, as Keras");
        }
    }

    @Test
    void classWeightEqualsTheSampleWeightsOfTheLabels() {
        Toy data = Toy.of(40, 2);
        Map<Integer, Double> cw = Map.of(0, 0.25, 2, 3.0); // class 1 left out: weight 1
        float[] w = new float[40];
        for (int i = 0; i < 40; i++) w[i] = (float) (double) cw.getOrDefault((int) data.y().get(i), 1.0);
        for (boolean jit : new boolean[] {true, false}) {
            Model byClass = model(jit);
            byClass.fit(data.x(), data.y(), FitOptions.builder().batchSize(16).epochs(2).seed(7).classWeight(cw).verbose(0).build());
            Model bySample = model(jit);
            bySample.fit(data.x(), data.y(), FitOptions.builder().batchSize(16).epochs(2).seed(7).sampleWeight(Tensors.of(w))
                    .verbose(0).build());
            Model plain = model(jit);
            plain.fit(data.x(), data.y(), FitOptions.builder().batchSize(16).epochs(2).seed(7).verbose(0).build());
            assertArrayEquals(flat(bySample), flat(byClass), 1e-6f, "jit " + jit);
            float[] p = flat(plain), c = flat(byClass);
            double diff = 0;
            for (int i = 0; i < p.length; i++) diff = Math.max(diff, Math.abs(p[i] - c[i]));
            assertEquals(true, diff > 1e-4, "the weights change training (max difference " + diff + ")");
        }
    }

    @Test
    void aValidationSplitIsNotWeighedByClassAsGivenValidationDataIsNot() {
        // Keras weighs classes in the training batches only: val_loss of the split's last 8 rows equals
        // val_loss of the same rows given as validation data (the split was class-weighed: 0.85 against 1.05 here)
        Toy data = Toy.of(40, 5);
        Map<Integer, Double> cw = Map.of(0, 0.25, 2, 3.0);
        for (boolean jit : new boolean[] {true, false}) {
            Model split = model(jit);
            double splitLoss = split.fit(data.x(), data.y(), FitOptions.builder().batchSize(8).epochs(1).shuffle(false).classWeight(cw)
                    .validationSplit(0.2).verbose(0).build()).last("val_loss");
            Model given = model(jit);
            double givenLoss = given.fit(data.x().slice(0, 0, 32), data.y().slice(0, 0, 32), FitOptions.builder().batchSize(8).epochs(1)
                    .shuffle(false).classWeight(cw).validationData(data.x().slice(0, 32, 40), data.y().slice(0, 32, 40)).verbose(0).build())
                    .last("val_loss");
            assertEquals(givenLoss, splitLoss, 0.0, "jit " + jit);
            assertArrayEquals(flat(given), flat(split), "the same training either way, jit " + jit);
        }
    }

    @Test
    void softBinaryLabelsTakeTheClassWeightOfTheRoundedLabel() {
        // Keras rounds a label that is not one-hot to its class (np.round): 0.9 and 0.6 are class 1, 0.2 class 0
        Tensor x = Tensors.of(new float[][] {{1, 0}, {0, 1}, {1, 1}, {0.5f, -1}});
        Tensor soft = Tensors.of(new float[][] {{0.9f}, {0.2f}, {0.6f}, {0.1f}});
        Map<Integer, Double> cw = Map.of(0, 0.5, 1, 4.0);
        Model byClass = binaryModel(), bySample = binaryModel();
        byClass.fit(x, soft, FitOptions.builder().batchSize(4).epochs(2).shuffle(false).classWeight(cw).verbose(0).build());
        bySample.fit(x, soft, FitOptions.builder().batchSize(4).epochs(2).shuffle(false)
                .sampleWeight(Tensors.of(new float[] {4, 0.5f, 4, 0.5f})).verbose(0).build());
        assertArrayEquals(flat(bySample), flat(byClass));
    }

    private static Model binaryModel() {
        Seeds.setGlobal(43);
        Model m = new Sequential(Input.of(2), new Dense(1, "sigmoid"));
        m.compile(CompileOptions.builder().optimizer("sgd").loss("binary_crossentropy").build());
        return m;
    }

    @Test
    void perStepWeightsOfASequenceOutputWeighEachStep() {
        // Keras takes sample weights [batch, steps] for a per-step loss (temporal weights): each step's loss and each
        // weighted metric's step count that much; they were refused ("need one weight per example")
        int n = 6, t = 4, classes = 3;
        Random r = new Random(8);
        long[] ids = new long[n * t], labels = new long[n * t];
        float[] w = new float[n * t], rows = new float[n], byRow = new float[n * t];
        for (int i = 0; i < n * t; i++) {
            ids[i] = r.nextInt(7);
            labels[i] = r.nextInt(classes);
            w[i] = r.nextInt(3);
        }
        for (int i = 0; i < n; i++) {
            rows[i] = 0.5f + i;
            for (int s = 0; s < t; s++) byRow[i * t + s] = rows[i];
        }
        Tensor x = Tensors.of(ids, n, t), y = Tensors.of(labels, n, t);
        for (boolean jit : new boolean[] {true, false}) {
            Model m = tagger(jit);
            float[] p = m.predict(x).toFloatArray();
            double loss = 0, hits = 0, weight = 0;
            for (int i = 0; i < n * t; i++) {
                int best = 0;
                for (int c = 1; c < classes; c++) if (p[i * classes + c] > p[i * classes + best]) best = c;
                loss -= Math.log(p[i * classes + (int) labels[i]]) * w[i];
                hits += (best == labels[i] ? 1 : 0) * w[i];
                weight += w[i];
            }
            Map<String, Double> logs = m.evaluate(x, y, Tensors.of(w, n, t), 64);
            assertEquals(loss / (n * t), logs.get("loss"), 1e-5, "jit " + jit + ": sum(loss * w) / steps");
            assertEquals(hits / weight, logs.get("accuracy"), 1e-6, "jit " + jit + ": a weighted metric alone keeps its name");
            Model perExample = tagger(jit), perStep = tagger(jit);
            perExample.fit(x, y, FitOptions.builder().batchSize(4).epochs(2).shuffle(false).sampleWeight(Tensors.of(rows)).verbose(0).build());
            perStep.fit(x, y, FitOptions.builder().batchSize(4).epochs(2).shuffle(false).sampleWeight(Tensors.of(byRow, n, t)).verbose(0).build());
            assertArrayEquals(flat(perExample), flat(perStep), 1e-6f, "a row's weight on each of its steps trains as the row's weight");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.evaluate(x, y, Tensors.zeros(n, t + 1), 64));
            assertTrue(e.getMessage().contains("sample weights [6, 5] do not fit the values [6, 4]"), e.getMessage());
        }
    }

    private static Model tagger(boolean jit) {
        Seeds.setGlobal(47);
        Model m = new Sequential(new InputLayer(new int[] {4}, DType.INT64, null), new Embedding(7, 3), new Dense(3, "softmax"));
        m.compile(CompileOptions.builder().optimizer("sgd").loss("sparse_categorical_crossentropy").weightedMetrics("accuracy")
                .jitCompile(jit).build());
        return m;
    }

    @Test
    void zeroWeightsLeaveTheModelAlone() {
        Toy data = Toy.of(24, 3);
        Model m = model(true);
        float[] before = flat(m);
        m.fit(data.x(), data.y(), FitOptions.builder().batchSize(8).epochs(1).sampleWeight(Tensors.zeros(24)).verbose(0).build());
        assertArrayEquals(before, flat(m));
    }
}
