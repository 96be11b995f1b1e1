package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.initializers.Ones;
import dev.javelin.highlevel.layers.Add;
import dev.javelin.highlevel.layers.BatchNormalization;
import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.MaxPooling2D;
import dev.javelin.highlevel.regularizers.L2;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.RandomTensors;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** save/load and saveWeights/loadWeights: bit-identical predictions, custom layers, and files that lie. */
class SavingTest {
    @TempDir
    Path dir;

    /** A custom layer in a few lines: a learned per-feature scale. */
    static final class Scale extends Layer {
        private Variable scale;

        Scale(String name) {
            super(name);
        }

        @Override
        public void build(Shape in) {
            scale = addWeight("scale", Shape.of(in.dim(-1)), new Ones(), null, true);
        }

        @Override
        public Tensor call(Tensor x, boolean training) {
            return x.mul(scale.value());
        }

        static Scale fromConfig(Map<String, Object> c) {
            return new Scale(Config.string(c, "name", null));
        }
    }

    private static Tensor images(int n) {
        return new RandomTensors(3).uniform(Shape.of(n, 12, 12, 1), DType.FLOAT32, 0, 1);
    }

    @Test
    void savedAndLoadedConvnetPredictsBitIdentically() throws IOException {
        Model m = new Sequential(new InputLayer(12, 12, 1), new Conv2D(4, 3, "relu"), new MaxPooling2D(2), new Flatten(),
                new Dropout(0.5), new Dense(5, "softmax", new L2(1e-3)));
        Tensor x = images(6);
        m.compile("adam", "sparse_categorical_crossentropy");
        m.trainOnBatch(x, new RandomTensors(4).labels(Shape.of(6), 5, DType.INT64)); // weights move off their initial values
        Path file = dir.resolve("model.safetensors");
        m.save(file);
        Model back = Model.load(file);
        assertEquals(m.summaryText().replace(m.name(), "?"), back.summaryText().replace(back.name(), "?"));
        assertArrayEquals(m.apply(x, false).toFloatArray(), back.apply(x, false).toFloatArray(), 0f, "bit-identical, eager");
        back.compile("adam", "sparse_categorical_crossentropy"); // the same (compiled) predict program as the original
        assertArrayEquals(m.predict(x).toFloatArray(), back.predict(x).toFloatArray(), 0f, "bit-identical, compiled");
        assertEquals(1, back.losses().size(), "the regularizer came back");
    }

    @Test
    void functionalModelWithCustomLayerRoundTrips() throws IOException {
        LayerRegistry.register("Scale", Scale::fromConfig);
        Tensor in = Input.of(4);
        Tensor h = new Dense(4, "relu").apply(in);
        Tensor out = new Dense(2).apply(new Add().apply(new Scale("scale").apply(h), h));
        Model m = new Model(in, out);
        m.getLayer("scale").weights().get(0).store(new RandomTensors(5).uniform(Shape.of(4), DType.FLOAT32));
        Path file = dir.resolve("f.safetensors");
        m.save(file);
        Model back = Model.load(file);
        Tensor x = new RandomTensors(6).uniform(Shape.of(3, 4), DType.FLOAT32);
        assertArrayEquals(m.predict(x).toFloatArray(), back.predict(x).toFloatArray(), 0f);
    }

    @Test
    void unregisteredCustomLayerFailsNamingTheClassAndTheFix() throws IOException {
        Model m = new Sequential(new InputLayer(3), new Unregistered());
        Path file = dir.resolve("u.safetensors");
        m.save(file);
        IOException e = assertThrows(IOException.class, () -> Model.load(file));
        assertTrue(e.getMessage().contains("Unregistered") && e.getMessage().contains("LayerRegistry.register(\"Unregistered\""),
                e.getMessage());
    }

    static final class Unregistered extends Layer {
        @Override
        public Tensor call(Tensor x, boolean training) {
            return x.relu();
        }
    }

    @Test
    void weightsAloneRoundTripIntoAFreshModel() throws IOException {
        Model a = new Sequential(Input.of(4), new Dense(3, "relu"), new BatchNormalization(), new Dense(2));
        a.apply(new RandomTensors(1).uniform(Shape.of(8, 4), DType.FLOAT32), true); // moves BN's moving statistics
        Path file = dir.resolve("w.safetensors");
        a.saveWeights(file);
        Model b = new Sequential(Input.of(4), new Dense(3, "relu"), new BatchNormalization(), new Dense(2)); // other names
        b.loadWeights(file);
        Tensor x = new RandomTensors(2).uniform(Shape.of(5, 4), DType.FLOAT32);
        assertArrayEquals(a.predict(x).toFloatArray(), b.predict(x).toFloatArray(), 0f);
        Model wrong = new Sequential(Input.of(4), new Dense(5), new Dense(2));
        IOException e = assertThrows(IOException.class, () -> wrong.loadWeights(file));
        assertTrue(e.getMessage().contains("weights"), e.getMessage());
    }

    @Test
    void truncatedFileGivesAClearError() throws IOException {
        Model m = new Sequential(Input.of(4), new Dense(3));
        Path file = dir.resolve("t.safetensors");
        m.save(file);
        long size = Files.size(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size - 7);
        }
        IOException e = assertThrows(IOException.class, () -> Model.load(file));
        assertTrue(e.getMessage().contains(file.toString()) || e.getMessage().contains("t.safetensors"), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains("trunc") || e.getMessage().contains("bytes"), e.getMessage());
    }

    @Test
    void corruptedHeaderGivesAClearError() throws IOException {
        Model m = new Sequential(Input.of(4), new Dense(3));
        Path file = dir.resolve("c.safetensors");
        m.save(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[8] = '['; // the JSON header must start with '{'
        bytes[12] = 0x7f;
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class, () -> Model.load(file));
        assertTrue(e.getMessage().contains("c.safetensors"), e.getMessage());
        byte[] huge = Files.readAllBytes(file);
        huge[0] = (byte) 0xff;
        huge[5] = 0x7f; // a header length of petabytes: refused, not allocated
        Files.write(file, huge);
        assertThrows(IOException.class, () -> Model.load(file));
    }

    @Test
    void everyBuiltInLayerComesBackFromItsConfig() {
        List<Layer> layers = List.of(new Dense(3, "relu", new L2(0.1)), new Conv2D(4, new int[] {3, 2}, new int[] {2, 1}, "same", "gelu"),
                new MaxPooling2D(new int[] {3, 3}, new int[] {2, 2}, "same", null), new dev.javelin.highlevel.layers.AveragePooling2D(2),
                new dev.javelin.highlevel.layers.GlobalAveragePooling2D(), new Flatten(), new dev.javelin.highlevel.layers.Reshape(2, -1),
                new Dropout(0.25, 7L), new BatchNormalization(0.9, 1e-5, true, false, null),
                new dev.javelin.highlevel.layers.LayerNormalization(), new dev.javelin.highlevel.layers.Embedding(10, 4),
                new dev.javelin.highlevel.layers.Activation("silu"), new Add(), new dev.javelin.highlevel.layers.Concatenate(1, null),
                new InputLayer(5, 6));
        for (Layer l : layers) {
            String json = dev.javelin.json.Json.write(l.getConfig());
            Map<String, Object> parsed = dev.javelin.json.Json.parseObject(json);
            Layer back = LayerRegistry.create(l.getClass().getSimpleName(), parsed);
            assertEquals(json, dev.javelin.json.Json.write(back.getConfig()), l.getClass().getSimpleName());
            assertEquals(l.getClass(), back.getClass());
        }
    }

    @Test
    void modelConfigListsLayersInKerasForm() {
        Model m = new Sequential(List.of(new InputLayer(2), new Dense(3, "relu")), "tiny");
        Map<String, Object> c = ModelConfig.of(m);
        assertEquals("Sequential", c.get("class_name"));
        String json = dev.javelin.json.Json.write(c);
        assertTrue(json.contains("\"class_name\":\"Dense\"") && json.contains("\"units\":3") && json.contains("\"batch_shape\":[null,2]"),
                json);
    }
}
