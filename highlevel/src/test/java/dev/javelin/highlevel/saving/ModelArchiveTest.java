package dev.javelin.highlevel.saving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArchiveTest {
    @TempDir Path dir;

    private static Map<String, Object> config() {
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("class_name", "Dense");
        layer.put("config", Map.of("units", 10L, "activation", "softmax"));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("class_name", "Sequential");
        c.put("layers", List.of(layer));
        return c;
    }

    private static LinkedHashMap<String, Tensor> weights() {
        LinkedHashMap<String, Tensor> w = new LinkedHashMap<>();
        w.put("dense/kernel", Tensors.of(new float[][] {{0.25f, -1f}, {3f, 4f}}));
        w.put("dense/bias", Tensors.of(new float[] {0.5f, -0.5f}));
        return w;
    }

    @Test
    void roundTripsConfigAndWeights() throws IOException {
        Path f = dir.resolve("sub/model.javelin");
        ModelArchive.write(f, config(), weights(), Map.of("optimizer_config", "{\"class_name\":\"Adam\"}"));
        ModelArchive.Contents c = ModelArchive.read(f);
        assertEquals(config(), c.config());
        assertEquals(List.of("dense/kernel", "dense/bias"), List.copyOf(c.weights().keySet()));
        assertArrayEquals(weights().get("dense/kernel").toFloatArray(), c.weights().get("dense/kernel").toFloatArray());
        assertEquals("{\"class_name\":\"Adam\"}", c.metadata().get("optimizer_config"));
        assertEquals(List.of("model.javelin"), Files.list(f.getParent()).map(p -> p.getFileName().toString()).toList(),
                "no temporary file left behind");
        ModelArchive.write(f, config(), weights()); // overwrites in place
        assertEquals(config(), ModelArchive.read(f).config());
    }

    @Test
    void truncatedAndCorruptFilesGiveClearErrors() throws IOException {
        Path f = dir.resolve("m.javelin");
        ModelArchive.write(f, config(), weights());
        byte[] b = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.javelin");
        Files.write(cut, Arrays.copyOf(b, b.length - 3));
        IOException e = assertThrows(IOException.class, () -> ModelArchive.read(cut));
        assertTrue(e.getMessage().contains("cut.javelin") && e.getMessage().contains("truncated"), e.getMessage());
        byte[] corrupt = b.clone();
        corrupt[8] = '!'; // the header's opening brace
        Path bad = dir.resolve("bad.javelin");
        Files.write(bad, corrupt);
        e = assertThrows(IOException.class, () -> ModelArchive.read(bad));
        assertTrue(e.getMessage().contains("bad.javelin") && e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void plainSafetensorsFilesAreNotModels() throws IOException {
        Path f = dir.resolve("w.safetensors");
        try (OutputStream out = Files.newOutputStream(f)) {
            SafeTensors.write(out, weights(), Map.of("format", "pt"));
        }
        IOException e = assertThrows(IOException.class, () -> ModelArchive.read(f));
        assertTrue(e.getMessage().contains("not a Javelin model file"), e.getMessage());
        try (OutputStream out = Files.newOutputStream(f)) {
            SafeTensors.write(out, weights(), Map.of("format", "javelin.model", "format_version", "99", "model_config", "{}"));
        }
        e = assertThrows(IOException.class, () -> ModelArchive.read(f));
        assertTrue(e.getMessage().contains("version 99"), e.getMessage());
        try (OutputStream out = Files.newOutputStream(f)) {
            SafeTensors.write(out, weights(), Map.of("format", "javelin.model", "format_version", "1", "model_config", "{oops"));
        }
        e = assertThrows(IOException.class, () -> ModelArchive.read(f));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ModelArchive.write(dir.resolve("x"), config(), weights(), Map.of("format", "other")));
    }
}
