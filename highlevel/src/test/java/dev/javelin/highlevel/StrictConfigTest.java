package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.ConfigMap;
import dev.javelin.highlevel.losses.BinaryCrossentropy;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.highlevel.optimizers.ExponentialDecay;
import dev.javelin.highlevel.optimizers.Optimizer;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The strict config reading that model files use, on its own and for the other configs a file will
 * hold (optimizers, schedules, losses): a wrong JSON type, a non-integral or out-of-range number or
 * an unknown key is an error naming the key; before, each was silently read as a default.
 */
class StrictConfigTest {
    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void typedGettersCheckTypeIntegralityAndRange() {
        Map<String, Object> c = Json.parseObject("{\"a\":16.9,\"b\":4294967312,\"c\":16.0,\"d\":\"7\",\"e\":[1,2.5]}");
        c.put("f", Double.POSITIVE_INFINITY); // a config built in Java: from text, 1e400 is refused by Json itself
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parseObject("{\"f\":1e400}")).getMessage()
                .contains("outside the range of a double"));
        assertTrue(error(() -> Config.integer(c, "a", 0)).contains("'a' is 16.9, expected an integer"));
        assertTrue(error(() -> Config.integer(c, "b", 0)).contains("4294967312")); // 2^32 + 16 is not read as 16
        assertEquals(16, Config.integer(c, "c", 0));
        assertTrue(error(() -> Config.integer(c, "d", 0)).contains("\"7\""));
        assertTrue(error(() -> Config.ints(c, "e", 2, null)).contains("'e'"));
        assertTrue(error(() -> Config.number(c, "f", 0)).contains("'f'")); // infinite
        assertTrue(error(() -> Config.integerIn(c, "c", 0, 1, 10)).contains("[1, 10]"));
        assertTrue(error(() -> Config.requiredInteger(c, "missing", 0, 1)).contains("missing config key 'missing'"));
        assertEquals(5, Config.integer(c, "absent", 5));
    }

    @Test
    void aConfigMapRefusesKeysNobodyRead() {
        ConfigMap c = ConfigMap.of(Map.of("units", 3, "unitz", 4));
        Config.integer(c, "units", 1);
        String m = error(c::requireAllRead);
        assertTrue(m.contains("unknown config key 'unitz'") && m.contains("known here: units"), m);
        ConfigMap all = ConfigMap.of(Map.of("a", 1, "b", 2));
        assertEquals(2, new LinkedHashMap<>(all).size()); // a factory that copies the map has read every key
        all.requireAllRead();
    }

    @Test
    void layersAddedSinceReadTheirConfigsStrictlyToo() {
        // values that an intValue() cast read as other numbers, a seed of the wrong type, a wrapper's layer that is not an object
        String m = error(() -> LayerRegistry.create("ZeroPadding2D", Map.of("padding", 16.9)));
        assertTrue(m.contains("ZeroPadding2D") && m.contains("'padding'") && m.contains("16.9"), m);
        m = error(() -> LayerRegistry.create("Cropping1D", Map.of("cropping", List.of(4294967312L, 1))));
        assertTrue(m.contains("'cropping'") && m.contains("4294967312"), m);
        m = error(() -> LayerRegistry.create("LSTM", Map.of("units", 3, "seed", "x")));
        assertTrue(m.contains("'seed'"), m);
        m = error(() -> LayerRegistry.create("Bidirectional", Map.of("layer", 5)));
        assertTrue(m.contains("'layer'") && m.contains("an object"), m);
        // MultiHeadAttention read these leniently: a value_dim of "x" as absent, a seed of 3.5 as 3, output_shape [null] threw
        m = error(() -> LayerRegistry.create("MultiHeadAttention", Map.of("num_heads", 2, "key_dim", 4, "value_dim", "x")));
        assertTrue(m.contains("MultiHeadAttention") && m.contains("'value_dim'"), m);
        m = error(() -> LayerRegistry.create("MultiHeadAttention", Map.of("num_heads", 2, "key_dim", 4, "seed", 3.5)));
        assertTrue(m.contains("'seed'") && m.contains("3.5"), m);
        m = error(() -> LayerRegistry.create("MultiHeadAttention", Map.of("num_heads", 2, "key_dim", 4, "output_shape", List.of("x"))));
        assertTrue(m.contains("'output_shape'"), m);
        m = error(() -> LayerRegistry.create("MultiHeadAttention", Map.of("key_dim", 4)));
        assertTrue(m.contains("missing config key 'num_heads'"), m);
        m = error(() -> LayerRegistry.fromEntry(Map.of("class_name", "Dense", "config", Map.of("units", 2), "extra", 1)));
        assertTrue(m.contains("unknown config key 'extra'"), m);
    }

    private static Map<String, Object> edited(Map<String, Object> config, Consumer<Map<String, Object>> edit) {
        Map<String, Object> c = Json.parseObject(Json.write(config));
        edit.accept(c);
        return c;
    }

    @Test
    void optimizerAndScheduleConfigsAreReadStrictly() {
        Optimizer adam = Adam.builder().learningRate(new ExponentialDecay(1e-3, 100, 0.9, false)).build();
        Map<String, Object> config = adam.getConfig();
        assertEquals(config, Optimizer.fromConfig(config).getConfig());
        Function<Consumer<Map<String, Object>>, String> fails = e -> error(() -> Optimizer.fromConfig(edited(config, e)));
        String m = fails.apply(c -> c.put("beta_1", "0.9"));
        assertTrue(m.contains("Adam") && m.contains("'beta_1'"), m);
        m = fails.apply(c -> c.put("lr", 0.1));
        assertTrue(m.contains("unknown config key 'lr'"), m);
        m = fails.apply(c -> ((Map<String, Object>) c.get("learning_rate")).put("decay_steps", "100"));
        assertTrue(m.contains("'decay_steps'"), m);
        m = fails.apply(c -> ((Map<String, Object>) c.get("learning_rate")).put("stair_case", true));
        assertTrue(m.contains("'stair_case'"), m);
        m = fails.apply(c -> c.put("exclude_from_weight_decay", List.of(1)));
        assertTrue(m.contains("'exclude_from_weight_decay'"), m);
        Map<String, Object> sgd = SGD.builder().learningRate(0.1).momentum(0.9).build().getConfig();
        m = error(() -> Optimizer.fromConfig(edited(sgd, c -> c.put("nesterov", "yes"))));
        assertTrue(m.contains("'nesterov'"), m);
    }

    @Test
    void lossConfigsAreReadStrictly() {
        Map<String, Object> config = new BinaryCrossentropy(true, 0.1).getConfig();
        assertEquals(config, Losses.fromConfig(config).getConfig());
        String m = error(() -> Losses.fromConfig(edited(config, c -> c.put("from_logits", "true"))));
        assertTrue(m.contains("BinaryCrossentropy") && m.contains("'from_logits'"), m);
        m = error(() -> Losses.fromConfig(edited(config, c -> c.put("label_smoothing", 2))));
        assertTrue(m.contains("'label_smoothing'"), m);
        m = error(() -> Losses.fromConfig(edited(config, c -> c.put("delta", 1))));
        assertTrue(m.contains("unknown config key 'delta'"), m);
    }
}
