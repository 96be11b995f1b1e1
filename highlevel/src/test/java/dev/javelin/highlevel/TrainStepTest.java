package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.metrics.Metric;
import dev.javelin.highlevel.metrics.SparseCategoricalAccuracy;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** fit compiles the model's own trainStep (overridden or not), with metrics as program state. */
class TrainStepTest {
    /** A model whose own train step scales the loss by 2 before differentiating (a plain SGD step of twice the size). */
    static final class DoubledStep extends Sequential {
        int traces;

        DoubledStep() {
            super(List.of(new InputLayer(4), new Dense(8, "tanh"), new Dense(3, "softmax")), null);
        }

        @Override
        public Tensor trainStep(Batch b) {
            traces++;
            List<Variable> vars = trainableVariables();
            GradientTape tape = GradientTape.record();
            List<Tensor> predictions;
            Tensor loss;
            try {
                predictions = callOutputs(b.inputs(), true);
                loss = computeLoss(b.targets(), predictions);
            } finally {
                tape.close();
            }
            optimizer().apply(vars, tape.gradient(loss.mul(2.0), vars));
            updateMetrics(b.targets(), predictions);
            return loss;
        }
    }

    private static History fit(Model m, boolean jit, Toy data, int epochs) {
        m.compile(CompileOptions.builder().optimizer("sgd").loss("sparse_categorical_crossentropy").metrics("accuracy")
                .jitCompile(jit).build());
        return m.fit(data.x(), data.y(), FitOptions.builder().batchSize(16).epochs(epochs).seed(5).verbose(0).build());
    }

    @Test
    void anOverriddenTrainStepRunsCompiledWithItsMetrics() {
        Toy data = Toy.of(40, 3);
        Seeds.setGlobal(21);
        DoubledStep compiled = new DoubledStep();
        History hc = fit(compiled, true, data, 3);
        Seeds.setGlobal(21);
        DoubledStep eager = new DoubledStep();
        History he = fit(eager, false, data, 3);

        assertEquals(2, compiled.traces, "traced once per batch size (16 and 8), then run as a program");
        assertEquals(9, eager.traces, "op by op: 3 batches per epoch");
        assertTrue(compiled.trainer.jitCompilations() >= 2);
        for (String k : List.of("loss", "accuracy")) {
            for (int i = 0; i < 3; i++) {
                assertEquals(he.history().get(k).get(i), hc.history().get(k).get(i), 1e-4, k + " epoch " + i);
            }
        }
        for (int i = 0; i < eager.weights().size(); i++) {
            assertArrayEquals(eager.weights().get(i).stored().toFloatArray(), compiled.weights().get(i).stored().toFloatArray(),
                    1e-4f, eager.weights().get(i).name());
        }
    }

    @Test
    void metricStateIsUpdatedByTheCompiledProgram() {
        Toy data = Toy.of(40, 4);
        Seeds.setGlobal(22);
        Model m = new Sequential(Input.of(4), new Dense(3, "softmax"));
        SparseCategoricalAccuracy acc = new SparseCategoricalAccuracy("acc");
        m.compile(CompileOptions.builder().optimizer("sgd").loss("sparse_categorical_crossentropy").metrics(acc).build());
        m.evaluate(data.x(), data.y(), 16);
        assertEquals(40.0, acc.variables().get(1).stored().item(), "count: every example of the 3 batches");
        Tensor predicted = m.predict(data.x()).argmax(-1);
        long right = 0;
        for (int i = 0; i < 40; i++) if (predicted.get(i) == data.y().get(i)) right++;
        assertEquals(right / 40.0, acc.result(), 1e-6);
    }

    @Test
    void aHostOnlyMetricInACompiledStepIsNamed() {
        Metric hostOnly = new Metric("host_max") {
            double max;

            @Override
            public void updateState(Tensor t, Tensor p) {
                for (double v : p.toDoubleArray()) max = Math.max(max, v);
            }

            @Override
            public double result() {
                return max;
            }
        };
        Model m = new Sequential(Input.of(4), new Dense(3, "softmax"));
        m.compile(CompileOptions.builder().optimizer("sgd").loss("sparse_categorical_crossentropy").metrics(hostOnly).build());
        Toy data = Toy.of(8, 5);
        var e = assertThrows(IllegalStateException.class, () -> m.fit(data.x(), data.y(), 8, 1));
        assertTrue(e.getMessage().contains("host_max") && e.getMessage().contains("jitCompile(false)"), e.getMessage());
        m.compile(CompileOptions.builder().optimizer("sgd").loss("sparse_categorical_crossentropy").metrics(hostOnly)
                .jitCompile(false).build());
        m.fit(data.x(), data.y(), FitOptions.builder().batchSize(8).epochs(1).verbose(0).build());
        assertTrue(hostOnly.result() > 0);
    }

    @Test
    void freezingALayerAfterCompileTakesEffectOnTheNextStepCompiled() {
        freezeAfterCompile(true);
    }

    @Test
    void freezingALayerAfterCompileTakesEffectOnTheNextStepEager() {
        freezeAfterCompile(false);
    }

    private static void freezeAfterCompile(boolean jit) {
        Toy data = Toy.of(40, 6);
        Seeds.setGlobal(23);
        Model m = new Sequential(List.of(new InputLayer(4), new Dense(8, "tanh"), new Dense(3, "softmax")), null);
        fit(m, jit, data, 1);
        List<Layer> dense = m.layers().stream().filter(l -> l instanceof Dense).toList();
        Layer first = dense.get(0);
        Layer second = dense.get(1);
        first.setTrainable(false);
        float[] frozenBefore = first.weights().get(0).stored().toFloatArray();
        float[] trainedBefore = second.weights().get(0).stored().toFloatArray();

        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String level = System.getProperty("javelin.debug");
        System.setProperty("javelin.debug", "1");
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            m.fit(data.x(), data.y(), FitOptions.builder().batchSize(16).epochs(2).verbose(0).build());
        } finally {
            System.setErr(err);
            if (level == null) System.clearProperty("javelin.debug");
            else System.setProperty("javelin.debug", level);
        }
        assertArrayEquals(frozenBefore, first.weights().get(0).stored().toFloatArray(), "a frozen layer does not move");
        assertFalse(Arrays.equals(trainedBefore, second.weights().get(0).stored().toFloatArray()), "the rest still trains");
        String log = captured.toString(StandardCharsets.UTF_8);
        int said = log.split("recompiling the train step", -1).length - 1;
        assertEquals(jit ? 1 : 0, said, "the recompile is said once at debug level 1 (compiled only):\n" + log.lines().limit(5).toList());

        first.setTrainable(true); // unfreezing needs no new optimizer state either
        m.fit(data.x(), data.y(), FitOptions.builder().batchSize(16).epochs(1).verbose(0).build());
        assertFalse(Arrays.equals(frozenBefore, first.weights().get(0).stored().toFloatArray()), "unfrozen, it trains again");
    }
}
