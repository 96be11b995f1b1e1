package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.layers.Activation;
import dev.javelin.highlevel.layers.BatchNormalization;
import dev.javelin.highlevel.layers.Bidirectional;
import dev.javelin.highlevel.layers.Concatenate;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.Embedding;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.layers.GlobalAveragePooling2D;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.LayerNormalization;
import dev.javelin.highlevel.layers.MaxPooling2D;
import dev.javelin.highlevel.layers.MultiHeadAttention;
import dev.javelin.json.Json;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Configs exactly as Keras 3 writes them ({@code get_config()} wrapped by {@code serialize_keras_object},
 * and {@code model.to_json()}), from resources/keras3 (written by
 * test-support/src/test/python/make_keras3_configs.py, transcribed from Keras 3.15.1's source): each
 * layer loads through {@link LayerRegistry#fromEntry} with its settings, and each model through
 * {@link Model#fromJson} computes what the same model built in Java computes, bit for bit. What Javelin
 * cannot do (another dtype policy, a constraint, channels_first, a call with keyword tensors) is
 * refused by name.
 */
class Keras3ConfigTest {
    private static String text(String name) {
        try (InputStream in = Keras3ConfigTest.class.getResourceAsStream("/keras3/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, Object> entry(String name) {
        return Json.parseObject(text(name));
    }

    private static Layer layer(String name) {
        return LayerRegistry.fromEntry(entry(name));
    }

    @Test
    void keras3LayerEntriesLoadWithTheirSettings() {
        Dense dense = assertInstanceOf(Dense.class, layer("dense.json"));
        assertEquals("dense", dense.name());
        assertEquals(12, dense.getConfig().get("units"));
        assertEquals("relu", dense.getConfig().get("activation"));
        assertArrayEquals(new int[] {5, 12}, dense.apply(Tensors.normal(Shape.of(5, 8), 1)).shape().toArray());

        Conv2D conv = assertInstanceOf(Conv2D.class, layer("conv2d.json"));
        assertEquals(6, conv.getConfig().get("filters"));
        assertArrayEquals(new int[] {2, 7, 7, 6}, conv.apply(Tensors.normal(Shape.of(2, 9, 9, 3), 2)).shape().toArray());

        LSTM lstm = assertInstanceOf(LSTM.class, layer("lstm.json"));
        assertEquals(true, lstm.getConfig().get("return_sequences"));
        assertArrayEquals(new int[] {2, 7, 5}, lstm.apply(Tensors.normal(Shape.of(2, 7, 3), 3)).shape().toArray());

        LayerNormalization norm = assertInstanceOf(LayerNormalization.class, layer("layer_normalization.json"));
        assertEquals(0.001, ((Number) norm.getConfig().get("epsilon")).doubleValue());
        assertArrayEquals(new int[] {4, 10}, norm.apply(Tensors.normal(Shape.of(4, 10), 4)).shape().toArray());

        Embedding emb = assertInstanceOf(Embedding.class, layer("embedding.json"));
        assertEquals(50, emb.getConfig().get("input_dim"));
        assertEquals(6, emb.getConfig().get("output_dim"));

        Bidirectional bi = assertInstanceOf(Bidirectional.class, layer("bidirectional.json"));
        assertArrayEquals(new int[] {2, 6, 8}, bi.apply(Tensors.normal(Shape.of(2, 6, 3), 5)).shape().toArray());

        MultiHeadAttention mha = assertInstanceOf(MultiHeadAttention.class, layer("multi_head_attention.json"));
        Tensor seq = Tensors.normal(Shape.of(2, 6, 8), 7);
        assertArrayEquals(new int[] {2, 6, 8}, mha.apply(seq, seq).shape().toArray());

        Dropout drop = assertInstanceOf(Dropout.class, layer("dropout.json"));
        assertEquals(0.25, ((Number) drop.getConfig().get("rate")).doubleValue());
    }

    @Test
    void keras3SequentialComputesAsTheSameModelBuiltInJava() {
        Model loaded = Model.fromJson(text("sequential.json"));
        assertEquals("sequential", loaded.name());
        Model built = new Sequential(Input.of(8), new Dense(12, "relu"), new Dense(8, "relu"), new Dense(1, "sigmoid"));
        sameFunction(loaded, built, Tensors.normal(Shape.of(6, 8), 11));
    }

    @Test
    void keras3ConvnetComputesAsTheSameModelBuiltInJava() {
        Model loaded = Model.fromJson(text("sequential_convnet.json"));
        Model built = new Sequential(new InputLayer(28, 28, 1), new Conv2D(32, 3, "relu"), new MaxPooling2D(2), new Conv2D(64, 3, "relu"),
                new BatchNormalization(), new Activation("relu"), new MaxPooling2D(2), new Flatten(), new Dropout(0.5), new Dense(10, "softmax"));
        sameFunction(loaded, built, Tensors.normal(Shape.of(3, 28, 28, 1), 13));
        GlobalAveragePooling2D pool = assertInstanceOf(GlobalAveragePooling2D.class, layer("global_average_pooling2d.json"));
        assertArrayEquals(new int[] {2, 64}, pool.apply(Tensors.normal(Shape.of(2, 5, 5, 64), 6)).shape().toArray());
    }

    @Test
    void keras3SequenceModelWithAMaskComputesAsTheSameModelBuiltInJava() {
        Model loaded = Model.fromJson(text("sequential_lstm.json"));
        Tensor ids = Input.of(new int[] {InputLayer.ANY}, DType.INT32, null);
        Model built = new Sequential(ids, new Embedding(50, 6, true), new LSTM(5), new Dense(1));
        // ids with trailing zeros: the mask (mask_zero) must reach the LSTM in both
        Tensor x = Tensors.of(new int[] {3, 7, 9, 0, 0, 12, 1, 4, 49, 2, 5, 0}, 2, 6);
        sameFunction(loaded, built, x);
    }

    @Test
    void keras3FunctionalComputesAsTheSameGraphBuiltInJava() {
        Model loaded = Model.fromJson(text("functional.json"));
        assertEquals(List.of("dense", "layer_normalization", "dropout", "dense_1", "concatenate", "dense_2"),
                loaded.layers().stream().map(Layer::name).filter(n -> !n.equals("input_layer")).toList());
        Tensor in = Input.of(8);
        Tensor a = new Dropout(0.25).apply(new LayerNormalization().apply(new Dense(16, "relu").apply(in)));
        Tensor b = new Dense(4).apply(in);
        Tensor out = new Dense(1, "sigmoid").apply(new Concatenate(-1).apply(a, b));
        sameFunction(loaded, new Model(in, out), Tensors.normal(Shape.of(5, 8), 12));
    }

    @Test
    void keras3FunctionalWithASharedLayerAndTwoInputs() {
        Model loaded = Model.fromJson(text("functional_shared.json"));
        Tensor a = Input.of(8), b = Input.of(8);
        Dense shared = new Dense(3, "tanh");
        Model built = new Model(List.of(a, b), List.of(new Concatenate().apply(shared.apply(a), shared.apply(b))), null);
        assertEquals(1, loaded.getWeights().size() / 2, "one Dense: its kernel and bias");
        List<Tensor> weights = List.of(Tensors.normal(Shape.of(8, 3), 1), Tensors.normal(Shape.of(3), 2));
        loaded.setWeights(weights);
        built.setWeights(weights);
        Tensor xa = Tensors.normal(Shape.of(4, 8), 3), xb = Tensors.normal(Shape.of(4, 8), 4);
        assertArrayEquals(built.predictOutputs(List.of(xa, xb), 4).get(0).toFloatArray(), loaded.predictOutputs(List.of(xa, xb), 4).get(0).toFloatArray());
    }

    @Test
    void toJsonAndBackGivesTheSameModel() {
        Model loaded = Model.fromJson(text("functional.json"));
        Model again = Model.fromJson(loaded.toJson());
        assertEquals(loaded.toJson(), again.toJson());
        sameFunction(again, loaded, Tensors.normal(Shape.of(3, 8), 5));
    }

    /** Gives both models the same random weights and compares their predictions bit for bit. */
    private static void sameFunction(Model loaded, Model built, Tensor x) {
        List<Tensor> weights = new ArrayList<>();
        int seed = 100;
        for (Variable v : loaded.weights()) {
            Tensor w = Tensors.normal(v.shape(), seed++);
            weights.add(v.name().endsWith("moving_variance") ? w.abs().add(0.5) : w); // a variance is positive
        }
        loaded.setWeights(weights);
        built.setWeights(weights);
        Tensor expected = built.predict(x), got = loaded.predict(x);
        assertArrayEquals(expected.shape().toArray(), got.shape().toArray());
        assertArrayEquals(expected.toFloatArray(), got.toFloatArray());
    }

    // ---- what Javelin cannot do is refused by name ----------------------------------------------

    private static String refusal(String file, UnaryOperator<String> edit) {
        String json = edit.apply(text(file));
        return assertThrows(IllegalArgumentException.class,
                () -> (file.startsWith("sequential") || file.startsWith("functional") ? (Runnable) () -> Model.fromJson(json)
                        : (Runnable) () -> LayerRegistry.fromEntry(Json.parseObject(json))).run()).getMessage();
    }

    @Test
    void whatJavelinCannotExpressIsRefusedByName() {
        String policy = refusal("dense.json", s -> s.replaceFirst("\"name\": \"float32\"", "\"name\": \"mixed_float16\""));
        assertTrue(policy.contains("Dense 'dense'") && policy.contains("'dtype'") && policy.contains("mixed_float16"), policy);
        String plain = refusal("dense.json", s -> s.replaceFirst("\"dtype\": \\{[^}]*\\}, \"registered_name\": null\\}", "\"dtype\": \"bfloat16\""));
        assertTrue(plain.contains("'dtype'") && plain.contains("bfloat16"), plain);
        String constraint = refusal("dense.json", s -> s.replace("\"kernel_constraint\": null",
                "\"kernel_constraint\": {\"module\": \"keras.constraints\", \"class_name\": \"NonNeg\", \"config\": {}, \"registered_name\": null}"));
        assertTrue(constraint.contains("'kernel_constraint'"), constraint);
        String format = refusal("conv2d.json", s -> s.replace("channels_last", "channels_first"));
        assertTrue(format.contains("Conv2D 'conv2d'") && format.contains("'data_format'") && format.contains("channels_last"), format);
        String gate = refusal("multi_head_attention.json", s -> s.replace("\"use_gate\": false", "\"use_gate\": true"));
        assertTrue(gate.contains("MultiHeadAttention 'multi_head_attention'") && gate.contains("'use_gate'"), gate);
        String axes = refusal("multi_head_attention.json", s -> s.replace("\"attention_axes\": [1]", "\"attention_axes\": [1, 2]"));
        assertTrue(axes.contains("'attention_axes'"), axes);
        String rms = refusal("layer_normalization.json", s -> s.replace("\"rms_scaling\": false", "\"rms_scaling\": true"));
        assertTrue(rms.contains("'rms_scaling'"), rms);
        String module = refusal("dense.json", s -> s.replaceFirst("\"module\": \"keras.layers\"", "\"module\": 7"));
        assertTrue(module.contains("'module'"), module);
        String kwargs = refusal("functional.json", s -> s.replaceFirst("\"kwargs\": \\{\\}", "\"kwargs\": {\"training\": true}"));
        assertTrue(kwargs.contains("'dense'") && kwargs.contains("'training'"), kwargs);
        String second = refusal("functional.json", s -> s.replace("[\"dense_1\", 0, 0]", "[\"dense_1\", 0, 1]"));
        assertTrue(second.contains("dense_1") && second.contains("output 1"), second);
        String missing = refusal("functional.json", s -> s.replace("[\"dense_1\", 0, 0]", "[\"dense_9\", 0, 0]"));
        assertTrue(missing.contains("dense_9"), missing);
        assertFalse(missing.contains("Exception"), missing);
    }

    @Test
    void aConfigDeclaringAWeightLargerThanTheHeapIsRefusedByName() {
        long floats = Runtime.getRuntime().maxMemory() / 4 + 1024;   // one float32 kernel just over -Xmx
        org.junit.jupiter.api.Assumptions.assumeTrue(floats <= dev.javelin.tensor.Shape.MAX_ELEMENTS, "heap above 8 GiB");
        int units = (int) ((floats + 1023) / 1024);
        String json = new Sequential(Input.of(1024), new Dense(3, "relu")).toJson();
        assertTrue(json.matches("(?s).*\"units\"\\s*:\\s*3\\b.*"), json);
        String hostile = json.replaceFirst("\"units\"\\s*:\\s*3\\b", "\"units\": " + units);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.fromJson(hostile));
        assertTrue(e.getMessage().contains("/kernel (Dense)") && e.getMessage().contains("float32[1024, " + units + "]")
                && e.getMessage().contains("maximum heap"), e.getMessage());
    }
}
