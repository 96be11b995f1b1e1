package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.highlevel.layers.Dense;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** sampleWeight and classWeight in fit, sampleWeight in evaluate, compiled and op by op. */
class SampleWeightTest {
    private static Model model(boolean jit) {
        Seeds.setGlobal(41);
        Model m = new Sequential(Input.of(4), new Dense(6, "tanh"), new Dense(3, "softmax"));
        m.compile(CompileOptions.builder().optimizer("sgd").loss("sparse_categorical_crossentropy").metrics("accuracy")
                .jitCompile(jit).build());
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
            assertEquals(subset.get("accuracy"), weighted.get("accuracy"), 1e-6, "metrics: weighted mean over the kept examples");
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
    void zeroWeightsLeaveTheModelAlone() {
        Toy data = Toy.of(24, 3);
        Model m = model(true);
        float[] before = flat(m);
        m.fit(data.x(), data.y(), FitOptions.builder().batchSize(8).epochs(1).sampleWeight(Tensors.zeros(24)).verbose(0).build());
        assertArrayEquals(before, flat(m));
    }
}
