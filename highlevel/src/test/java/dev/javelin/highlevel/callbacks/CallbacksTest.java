package dev.javelin.highlevel.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Input;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.RandomTensors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each callback's behaviour, driven by real fits or by hand-made logs where that is clearer. */
class CallbacksTest {
    @TempDir
    Path dir;

    private static Model model() {
        Model m = new Sequential(Input.of(4), new Dense(3, "softmax"));
        m.compile(new SGD(0.1), dev.javelin.highlevel.losses.Losses.get("sparse_categorical_crossentropy"), "accuracy");
        return m;
    }

    private static Tensor x() {
        return new RandomTensors(1).uniform(Shape.of(40, 4), DType.FLOAT32);
    }

    private static Tensor y() {
        return new RandomTensors(2).labels(Shape.of(40), 3, DType.INT64);
    }

    private static Map<String, Double> logs(String key, double v) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(key, v);
        return m;
    }

    @Test
    void historyRecordsEveryEpoch() {
        History h = model().fit(x(), y(), FitOptions.builder().batchSize(8).epochs(3).verbose(0).build());
        assertEquals(List.of(0, 1, 2), h.epoch());
        assertEquals(3, h.history().get("loss").size());
        assertEquals(3, h.history().get("accuracy").size());
    }

    @Test
    void earlyStoppingStopsAndRestoresTheBestWeights() {
        Model m = model();
        m.fit(x(), y(), FitOptions.builder().epochs(1).verbose(0).build()); // builds
        EarlyStopping es = new EarlyStopping("val_loss", 2, true);
        es.setModel(m);
        es.setParams(Map.of("verbose", 0));
        es.onTrainBegin(Map.of());
        Variable w = m.weights().get(0);
        double[] losses = {1.0, 0.5, 0.7, 0.9, 0.4};
        float[] best = null;
        for (int epoch = 0; epoch < losses.length && !m.stopTraining(); epoch++) {
            w.store(w.stored().add((double) epoch)); // weights differ every epoch
            if (epoch == 1) best = w.stored().toFloatArray();
            es.onEpochEnd(epoch, logs("val_loss", losses[epoch]));
        }
        assertTrue(m.stopTraining());
        assertEquals(3, es.stoppedEpoch(), "two epochs without improvement after epoch 1");
        assertEquals(1, es.bestEpoch());
        assertArrayEquals(best, w.stored().toFloatArray(), "restored to epoch 1's weights");
    }

    @Test
    void earlyStoppingWithPatienceZeroRunsWhileTheQuantityImproves() {
        // Keras 3: an improving epoch never stops training; patience 0 stops at the first one that does not improve
        Model m = model();
        m.fit(x(), y(), FitOptions.builder().epochs(1).verbose(0).build());
        EarlyStopping es = new EarlyStopping("val_loss", 0, false);
        es.setModel(m);
        es.setParams(Map.of("verbose", 0));
        es.onTrainBegin(Map.of());
        double[] losses = {1.0, 0.9, 0.8, 0.85, 0.7};
        int epoch = 0;
        for (; epoch < losses.length && !m.stopTraining(); epoch++) es.onEpochEnd(epoch, logs("val_loss", losses[epoch]));
        assertEquals(3, es.stoppedEpoch(), "epochs 1 and 2 improve; epoch 3 does not");
        assertEquals(2, es.bestEpoch());
    }

    @Test
    void earlyStoppingRestoresTheBestWeightsWhenTrainingRunsToTheEnd() {
        Model m = model();
        m.fit(x(), y(), FitOptions.builder().epochs(1).verbose(0).build());
        EarlyStopping es = new EarlyStopping("val_loss", 5, true);
        es.setModel(m);
        es.setParams(Map.of("verbose", 0));
        es.onTrainBegin(Map.of());
        Variable w = m.weights().get(0);
        double[] losses = {1.0, 0.5, 0.7};
        float[] best = null;
        for (int epoch = 0; epoch < losses.length; epoch++) {
            w.store(w.stored().add(1.0));
            if (epoch == 1) best = w.stored().toFloatArray();
            es.onEpochEnd(epoch, logs("val_loss", losses[epoch]));
        }
        assertFalse(m.stopTraining());
        es.onTrainEnd(Map.of());
        assertArrayEquals(best, w.stored().toFloatArray(), "as Keras 3: restored at the end of training, stopped or not");
    }

    @Test
    void earlyStoppingEndsARealFit() {
        Model m = model();
        EarlyStopping es = new EarlyStopping("loss", 1e9, 0, "min", null, false); // only the first epoch improves by 1e9
        History h = m.fit(x(), y(), FitOptions.builder().batchSize(8).epochs(10).verbose(0).callbacks(es).build());
        assertEquals(2, h.epoch().size(), "stops after the second epoch (patience 0, first epoch does not count)");
    }

    @Test
    void reduceLrOnPlateauCutsTheRateAfterPatience() {
        Model m = model();
        m.fit(x(), y(), FitOptions.builder().epochs(1).verbose(0).build());
        ReduceLROnPlateau r = new ReduceLROnPlateau("val_loss", 0.5, 1, "auto", 0, 0, 0.01);
        r.setModel(m);
        r.setParams(Map.of("verbose", 0));
        r.onTrainBegin(Map.of());
        double[] losses = {1.0, 1.0, 1.0, 0.5, 0.5};
        List<Double> rates = new ArrayList<>();
        for (int e = 0; e < losses.length; e++) {
            Map<String, Double> l = logs("val_loss", losses[e]);
            r.onEpochEnd(e, l);
            rates.add(m.optimizer().learningRate());
            assertTrue(l.containsKey("learning_rate"));
        }
        assertEquals(0.1, rates.get(0), 1e-7);
        assertEquals(0.05, rates.get(1), 1e-7);
        assertEquals(0.025, rates.get(2), 1e-7);
        assertEquals(0.025, rates.get(3), 1e-7);
        assertEquals(0.0125, rates.get(4), 1e-7);
    }

    @Test
    void csvLoggerWritesAHeaderAndOneRowPerEpoch() throws IOException {
        Path csv = dir.resolve("log.csv");
        model().fit(x(), y(), FitOptions.builder().batchSize(8).epochs(3).verbose(0).callbacks(new CSVLogger(csv)).build());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("epoch,loss,accuracy", lines.get(0));
        assertEquals(4, lines.size());
        assertTrue(lines.get(3).startsWith("2,"), lines.get(3));
    }

    @Test
    void modelCheckpointSavesOnlyImprovements() {
        Model m = model();
        m.fit(x(), y(), FitOptions.builder().epochs(1).verbose(0).build());
        ModelCheckpoint c = new ModelCheckpoint(dir.resolve("ck-{epoch}.safetensors").toString(), "val_loss", true, true);
        c.setModel(m);
        c.onTrainBegin(Map.of());
        double[] losses = {0.9, 1.2, 0.4};
        for (int e = 0; e < losses.length; e++) c.onEpochEnd(e, logs("val_loss", losses[e]));
        assertTrue(Files.exists(dir.resolve("ck-1.safetensors")));
        assertFalse(Files.exists(dir.resolve("ck-2.safetensors")));
        assertTrue(Files.exists(dir.resolve("ck-3.safetensors")));
        assertEquals(dir.resolve("ck-3.safetensors"), c.lastSaved());
    }

    /**
     * Keras's ModelCheckpoint keeps its best across fits (MonitorCallback sets it once): a second fit, the
     * fine-tuning phase of a transfer-learning recipe, did overwrite a better checkpoint with its first epoch.
     * A missing monitored value saves, with a warning, as in Keras (it skipped, so such a fit saved nothing).
     */
    @Test
    void modelCheckpointKeepsItsBestAcrossFitsAndSavesWithoutTheMonitoredValue() throws IOException {
        Model m = model();
        Path file = dir.resolve("best.safetensors");
        ModelCheckpoint c = new ModelCheckpoint(file.toString(), "val_loss", true, false);
        History first = m.fit(x(), y(), FitOptions.builder().epochs(3).validationSplit(0.25).callbacks(c).verbose(0).build());
        double best = first.history().get("val_loss").stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        byte[] saved = Files.readAllBytes(file);
        m.optimizer().setLearningRate(50.0); // the second phase only gets worse
        History second = m.fit(x(), y(), FitOptions.builder().epochs(2).validationSplit(0.25).callbacks(c).verbose(0).build());
        assertTrue(second.history().get("val_loss").stream().allMatch(v -> v > best), second.history() + " vs " + best);
        assertArrayEquals(saved, Files.readAllBytes(file), "the better checkpoint of the first fit was overwritten");

        ModelCheckpoint noMonitor = new ModelCheckpoint(dir.resolve("ck-{epoch}.safetensors").toString(), "val_loss", true, true);
        noMonitor.setModel(m);
        noMonitor.onTrainBegin(Map.of());
        noMonitor.onEpochEnd(0, logs("loss", 0.5));
        assertTrue(Files.exists(dir.resolve("ck-1.safetensors")));
    }

    @Test
    void modelCheckpointFillsKerasFileNameTemplates() {
        // Keras's usual "ckpt-{epoch:02d}-{val_loss:.2f}" was written under that literal name, so each epoch overwrote it
        Model m = model();
        m.fit(x(), y(), FitOptions.builder().epochs(1).verbose(0).build());
        ModelCheckpoint c = new ModelCheckpoint(dir.resolve("ck-{epoch:02d}-{val_loss:.2f}-{{x}}.safetensors").toString());
        c.setModel(m);
        c.onTrainBegin(Map.of());
        c.onEpochEnd(0, logs("val_loss", 0.456));
        c.onEpochEnd(9, logs("val_loss", 1.5));
        assertTrue(Files.exists(dir.resolve("ck-01-0.46-{x}.safetensors")));
        assertEquals(dir.resolve("ck-10-1.50-{x}.safetensors"), c.lastSaved());
        assertEquals("e3-l0.125000-a1.250e-01-7", FilepathTemplate.format("e{epoch}-l{loss:f}-a{loss:.3e}-{n:d}", 3,
                Map.of("loss", 0.125, "n", 7.0)));
        var unknown = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FilepathTemplate.format("ck-{val_acc}", 1, Map.of("loss", 1.0)));
        assertTrue(unknown.getMessage().contains("'val_acc'") && unknown.getMessage().contains("loss"), unknown.getMessage());
    }

    @Test
    void checkpointNamesFormatFloatsAsPython() {
        // Python's str.format (3.11) on these values; the names were "1.0E-5", "0.456700", "0.4567" for ".3",
        // "000-3.25", and f/e rounded Java's shortest decimal half up ("0.13", "1.000e+01") where Python rounds the
        // double's exact value half to even
        String[][] cases = {
            {"{v}", "1e-05", "1e-05"}, {"{v}", "123456789.0", "123456789.0"}, {"{v}", "1e16", "1e+16"}, {"{v}", "-0.0", "-0.0"},
            {"{v:g}", "0.4567", "0.4567"}, {"{v:g}", "0.0", "0"}, {"{v:g}", "1234.5678", "1234.57"}, {"{v:G}", "1e-5", "1E-05"},
            {"{v:.3g}", "1234.5678", "1.23e+03"}, {"{v:.3}", "0.4567", "0.457"}, {"{v:.3}", "12.0", "12.0"}, {"{v:.3}", "123.0", "1.23e+02"},
            {"{v:08}", "-3.25", "-0003.25"}, {"{v:.2f}", "0.125", "0.12"}, {"{v:.3e}", "9.9995", "9.999e+00"},
            {"{v:.2f}", "12345678901234567890", "12345678901234567168.00"}, {"{v:.1%}", "0.4567", "45.7%"}, {"{v:.2f}", "Infinity", "inf"},
            {"{v:09.3f}", "-0.0004", "-0000.000"}, {"{epoch:03}", "0", "007"}, {"{epoch:02d}", "0", "07"},
        };
        for (String[] c : cases) {
            assertEquals(c[2], FilepathTemplate.format(c[0], 7, Map.of("v", Double.parseDouble(c[1]))), c[0] + " of " + c[1]);
        }
    }

    @Test
    void earlyStoppingWithABaselineStopsOnlyAtAnEpochWithoutImprovement() {
        // Keras 3: an improvement that does not beat the baseline leaves the patience count running, but only an
        // epoch without improvement stops training; this stopped at epoch 1, an improving one
        Model m = model();
        m.fit(x(), y(), FitOptions.builder().epochs(1).verbose(0).build());
        EarlyStopping es = new EarlyStopping("val_loss", 0.0, 2, "min", 0.5, false);
        es.setModel(m);
        es.setParams(Map.of("verbose", 0));
        es.onTrainBegin(Map.of());
        double[] losses = {1.0, 0.9, 0.8, 0.7, 0.75};
        int epoch = 0;
        for (; epoch < losses.length && !m.stopTraining(); epoch++) es.onEpochEnd(epoch, logs("val_loss", losses[epoch]));
        assertEquals(4, es.stoppedEpoch(), "epochs 0-3 improve (above the baseline); epoch 4 does not, with the count past patience");
        assertEquals(3, es.bestEpoch());
    }

    @Test
    void lambdaCallbackSeesEveryHook() {
        List<String> events = new ArrayList<>();
        LambdaCallback cb = LambdaCallback.builder()
                .onTrainBegin(l -> events.add("begin"))
                .onEpochBegin((e, l) -> events.add("epoch" + e))
                .onBatchEnd((b, l) -> events.add("b" + b))
                .onEpochEnd((e, l) -> events.add("end" + e + (l.containsKey("loss") ? "+loss" : "")))
                .onTrainEnd(l -> events.add("done"))
                .build();
        model().fit(x(), y(), FitOptions.builder().batchSize(20).epochs(2).verbose(0).callbacks(cb).build());
        assertEquals(List.of("begin", "epoch0", "b0", "b1", "end0+loss", "epoch1", "b0", "b1", "end1+loss", "done"), events);
    }

    @Test
    void progressBarPrintsOneLinePerEpochWithTimes() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgbarLogger p = new ProgbarLogger(ProgbarLogger.Mode.LINES, new PrintStream(buf, true, StandardCharsets.UTF_8));
        model().fit(x(), y(), FitOptions.builder().batchSize(8).epochs(2).verbose(0).callbacks(p).build());
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length, String.join("\n", lines));
        assertEquals("Epoch 1/2", lines[0]);
        assertTrue(lines[1].matches("5/5 \\[=+\\] - \\d+\\.\\d\\ds \\d+(ms|us)/step - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}"), lines[1]);
        assertEquals("Epoch 2/2", lines[2]);
    }

    @Test
    void progressBarRedrawsOnATerminal() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgbarLogger p = new ProgbarLogger(ProgbarLogger.Mode.BAR, new PrintStream(buf, true, StandardCharsets.UTF_8));
        model().fit(x(), y(), FitOptions.builder().batchSize(8).epochs(1).verbose(0).callbacks(p).build());
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("\r") && out.contains("5/5 [==============================]"), out);
    }
}
