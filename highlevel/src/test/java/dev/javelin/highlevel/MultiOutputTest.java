package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Multi-output models: a loss per output (list or map), loss weights, per-output metrics, Keras's history keys. */
class MultiOutputTest {
    private static Dense named(int units, String activation, String name) {
        return new Dense(units, activation, true, new GlorotUniform(), new Zeros(), null, null, name);
    }

    /** Two heads on one trunk: a 3-class "digit" and a 1-value "size" (the sum of the inputs). */
    private static Model twoHeads() {
        Seeds.setGlobal(31);
        Tensor in = Input.of(4);
        Tensor h = new Dense(8, "tanh").apply(in);
        return new Model(List.of(in), List.of(named(3, "softmax", "digit").apply(h), named(1, null, "size").apply(h)), null);
    }

    private static Tensor sizes(Tensor x) {
        return x.sum(new int[] {1}, true);
    }

    private static CompileOptions.Builder byName(boolean jit) {
        return CompileOptions.builder().optimizer("adam")
                .losses(Map.of("digit", "sparse_categorical_crossentropy", "size", "mse"))
                .lossWeights(Map.of("size", 0.5))
                .outputMetrics(Map.of("digit", List.of("accuracy"), "size", List.of("mae")))
                .jitCompile(jit);
    }

    @Test
    void historyHasKerasKeysAndTheLossIsTheWeightedSum() {
        Toy data = Toy.of(48, 1);
        Toy val = Toy.of(16, 2);
        for (boolean jit : new boolean[] {true, false}) {
            Model m = twoHeads();
            assertEquals(List.of("digit", "size"), m.outputNames());
            m.compile(byName(jit).build());
            History h = m.fit(List.of(data.x()), List.of(data.y(), sizes(data.x())), FitOptions.builder().batchSize(16).epochs(2)
                    .validationData(List.of(val.x()), List.of(val.y(), sizes(val.x()))).verbose(0).build());
            // a metric asked for as "mae" is logged as "mae", as Keras 3 names it
            assertEquals(List.of("loss", "digit_loss", "size_loss", "digit_accuracy", "size_mae", "val_loss", "val_digit_loss",
                    "val_size_loss", "val_digit_accuracy", "val_size_mae"), List.copyOf(h.history().keySet()), "jit " + jit);
            for (String prefix : List.of("", "val_")) {
                double total = h.last(prefix + "loss");
                assertEquals(h.last(prefix + "digit_loss") + h.last(prefix + "size_loss"), total, 1e-5, prefix + "loss, jit " + jit);
            }
            // the weighted sum, checked against the losses applied by hand to the predictions
            List<Tensor> out = m.predictOutputs(List.of(val.x()), 16);
            double digit = Losses.get("sparse_categorical_crossentropy").call(val.y(), out.get(0)).item();
            double size = Losses.get("mse").call(sizes(val.x()), out.get(1)).item();
            Map<String, Double> e = m.evaluate(List.of(val.x()), List.of(val.y(), sizes(val.x())), 16, List.of(), 0);
            assertEquals(digit, e.get("digit_loss"), 1e-5);
            assertEquals(0.5 * size, e.get("size_loss"), 1e-5, "the per-output loss is logged weighted, as Keras 3 logs it");
            assertEquals(digit + 0.5 * size, e.get("loss"), 1e-5);
        }
    }

    @Test
    void lossesByPositionEqualLossesByName() {
        Toy data = Toy.of(32, 3);
        Model a = twoHeads();
        a.compile(byName(true).build());
        Model b = twoHeads();
        b.compile(CompileOptions.builder().optimizer("adam").losses(List.of("sparse_categorical_crossentropy", "mse"))
                .lossWeights(1.0, 0.5).outputMetrics(List.of(List.of("accuracy"), List.of("mae"))).build());
        FitOptions o = FitOptions.builder().batchSize(16).epochs(2).seed(4).verbose(0).build();
        History ha = a.fit(List.of(data.x()), List.of(data.y(), sizes(data.x())), o);
        History hb = b.fit(List.of(data.x()), List.of(data.y(), sizes(data.x())), o);
        assertEquals(ha.history(), hb.history());
    }

    @Test
    void mistakesNameTheOutputs() {
        Model m = twoHeads();
        m.compile(CompileOptions.builder().optimizer("adam").losses(Map.of("digits", "mse", "size", "mse")).build());
        Toy data = Toy.of(8, 5);
        var e = assertThrows(IllegalArgumentException.class,
                () -> m.fit(List.of(data.x()), List.of(data.y(), sizes(data.x())), FitOptions.builder().verbose(0).build()));
        assertTrue(e.getMessage().contains("'digits'") && e.getMessage().contains("[digit, size]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CompileOptions.builder().optimizer("adam").build(), "no loss at all");
    }
}
