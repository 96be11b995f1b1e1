package dev.javelin.highlevel.initializers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.json.Json;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VarianceScaling initializer is saved with its settings and read back, from Javelin's files and from
 * Keras 3's config entry ({@code {"scale": ..., "mode": ..., "distribution": ..., "seed": ...}}).
 */
class VarianceScalingConfigTest {
    /** The oracle's case: a model built with it saved, and the file would not load ("unknown initializer"). */
    @Test
    void aModelBuiltWithItSavesAndLoads(@TempDir Path dir) throws Exception {
        Model m = new Sequential(new InputLayer(5),
                new Dense(4, "relu", true, new VarianceScaling(2.0, "fan_out", "uniform", 3L), new Zeros(), null, null, null));
        m.compile("adam", "mse");
        Path file = dir.resolve("m.safetensors");
        m.save(file);
        Model back = Model.load(file);
        Tensor x = Tensors.normal(Shape.of(3, 5), 1);
        assertArrayEquals(m.predict(x).toFloatArray(), back.predict(x).toFloatArray());
        assertEquals(m.toJson(), back.toJson());
        // a fresh model from the saved architecture draws the same kernel: the settings came back
        Model fresh = Model.fromJson(m.toJson());
        assertArrayEquals(m.getWeights().get(0).toFloatArray(), fresh.getWeights().get(0).toFloatArray());
        assertTrue(Files.size(file) > 0);
    }

    @Test
    void kerasConfigEntriesRoundTrip() {
        Map<String, Object> keras = new LinkedHashMap<>();
        keras.put("scale", 0.5);
        keras.put("mode", "fan_avg");
        keras.put("distribution", "untruncated_normal");
        keras.put("seed", 7);
        Initializer init = Initializers.fromConfig("VarianceScaling", keras);
        assertEquals("{scale=0.5, mode=fan_avg, distribution=untruncated_normal, seed=7}", init.getConfig().toString());
        // the subclasses save their seed alone, as Keras's GlorotUniform etc. do
        assertEquals(Map.of("seed", 2L), new GlorotNormal(2L).getConfig());
        assertEquals(Map.of("scale", 1.0, "mode", "fan_in", "distribution", "truncated_normal"),
                Initializers.get("variance_scaling").getConfig());
        var e = assertThrows(IllegalArgumentException.class,
                () -> Initializers.fromConfig("VarianceScaling", Map.of("distribution", "cauchy")));
        assertTrue(e.getMessage().contains("cauchy"), e.getMessage());
        assertTrue(Json.write(init.getConfig()).contains("untruncated_normal"));
    }

    /** Keras's three distributions: untruncated normal has std sqrt(scale / n) and tails past two std. */
    @Test
    void distributionsHaveKerasSpread() {
        double std = Math.sqrt(3.0 / 200); // scale 3, fan_in 200
        for (String d : List.of("untruncated_normal", "normal", "uniform")) {
            float[] w = new VarianceScaling(3.0, "FAN_IN", d, 4L).apply(Shape.of(200, 300), DType.FLOAT32).toFloatArray();
            double sq = 0, max = 0;
            for (float f : w) {
                sq += f * f;
                max = Math.max(max, Math.abs(f));
            }
            assertEquals(std, Math.sqrt(sq / w.length), 0.02 * std, d);
            double bound = switch (d) {
                case "uniform" -> Math.sqrt(3) * std;
                case "normal" -> 2 * std / 0.87962566103423978;
                default -> Double.MAX_VALUE;
            };
            assertTrue(max <= bound + 1e-6, d + ": " + max);
            if (d.equals("untruncated_normal")) assertTrue(max > 3 * std, "tails beyond the truncation: " + max);
        }
    }
}
