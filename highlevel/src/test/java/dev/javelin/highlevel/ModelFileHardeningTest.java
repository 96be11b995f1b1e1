package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Embedding;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.models.GptModel;
import dev.javelin.json.Json;
import dev.javelin.highlevel.saving.ModelArchive;
import dev.javelin.highlevel.saving.SafeTensors;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files that lie (issue 15, "Model files"): each file here is well formed with a valid
 * checksum, so only the config checks stand between it and the model; and the integrity and size
 * checks for files that are damaged.
 */
class ModelFileHardeningTest {
    @TempDir
    Path dir;


    private Path saved(Model m) throws IOException {
        Path f = dir.resolve("m.javelin");
        m.save(f);
        return f;
    }

    private static Model dense() {
        return new Sequential(new InputLayer(4), new Dense(3, "relu"), new Dense(2));
    }

    /** A copy of {@code file} whose config was edited by {@code edit}, rewritten with a valid checksum. */
    @SuppressWarnings("unchecked")
    private Path edited(Path file, Consumer<Map<String, Object>> edit) throws IOException {
        ModelArchive.Contents c = ModelArchive.read(file);
        Map<String, Object> config = Json.parseObject(Json.write(c.config()));
        edit.accept(config);
        Path out = dir.resolve("edited.javelin");
        ModelArchive.write(out, config, c.weights());
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> layerConfig(Map<String, Object> model, int i) {
        List<Object> layers = (List<Object>) ((Map<String, Object>) model.get("config")).get("layers");
        return (Map<String, Object>) ((Map<String, Object>) layers.get(i)).get("config");
    }

    /** Loads {@code f}, expecting an IOException; returns its message; checks what the load allocated. */
    private static String loadFails(Path f, long maxAllocatedBytes) {
        long before = ThreadCost.allocatedBytes();
        long cpu = ThreadCost.cpuNanos();
        long wall = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> Model.load(f));
        lastCost = String.format("%.0f ms CPU (%.0f ms wall), %.1f MB allocated, for a %.1f MB file", (ThreadCost.cpuNanos() - cpu) / 1e6,
                (System.nanoTime() - wall) / 1e6, (ThreadCost.allocatedBytes() - before) / 1e6, f.toFile().length() / 1e6);
        long allocated = ThreadCost.allocatedBytes() - before;
        assertTrue(allocated < maxAllocatedBytes, "loading a bad file allocated " + allocated + " bytes: " + e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), "the message names the file: " + e.getMessage());
        return e.getMessage();
    }

    /** The cost of the last {@link #loadFails}, for the figures printed by the size tests. */
    private static String lastCost;

    @Test
    void hugeClaimsInASmallFileAllocateNothing() throws IOException {
        Path f = saved(dense());
        long small = 64L << 20; // the old loader initialised a [4, 2^31 - 1] kernel (32 GB) before comparing
        String m = loadFails(edited(f, c -> layerConfig(c, 1).put("units", Integer.MAX_VALUE)), small);
        System.out.println("ModelFileHardeningTest: units = 2^31 - 1 in a small file: " + lastCost);
        assertTrue(m.contains("dense") && m.contains("2147483647"), m);
        m = loadFails(edited(f, c -> layerConfig(c, 0).put("batch_shape", List.of())), small);
        assertTrue(m.contains("'batch_shape'"), m);
        m = loadFails(edited(f, c -> layerConfig(c, 0).put("batch_shape", java.util.Arrays.asList(null, 65536, 65536))), small);
        assertTrue(m.contains("more elements than one array holds"), m);
        m = loadFails(edited(f, c -> layerConfig(c, 0).put("batch_shape", java.util.Arrays.asList(null, 1_000_000_000))), small);
        assertTrue(m.contains("weight") && m.contains("1000000000"), m);

        Model emb = new Sequential(new InputLayer(3), new Embedding(10, 2));
        Path e = dir.resolve("emb.javelin");
        emb.save(e);
        m = loadFails(edited(e, c -> layerConfig(c, 1).put("input_dim", Integer.MAX_VALUE)), small);
        assertTrue(m.contains("embedding") && m.contains("2147483647"), m);

        // a model without an InputLayer is built from build_input_shapes: the same bound applies
        Model lazy = new Sequential(new Dense(3));
        lazy.predict(Tensors.zeros(1, 4));
        Path l = dir.resolve("lazy.javelin");
        lazy.save(l);
        m = loadFails(edited(l, c -> ((Map<String, Object>) c.get("config")).put("build_input_shapes",
                List.of(java.util.Arrays.asList(null, Integer.MAX_VALUE)))), small);
        assertTrue(m.contains("2147483647"), m);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aHugeLayerCountInASmallFileFailsFast() throws IOException {
        // num_layers = 10^8 made 10^8 TransformerDecoder objects before any weight: 78 s, then OutOfMemoryError
        GptModel gpt = new GptModel(11, 8, 1, 2, 8, 0.0);
        gpt.predict(Tensors.zeros(Shape.of(1, 8), DType.INT32));
        Path f = saved(gpt);
        String m = loadFails(edited(f, c -> ((Map<String, Object>) c.get("config")).put("num_layers", 100_000_000)), 64L << 20);
        System.out.println("ModelFileHardeningTest: num_layers = 10^8 in a small file: " + lastCost);
        assertTrue(m.contains("more than") && m.contains("layers") && m.contains("num_layers"), m);
        assertTrue(Model.load(f) instanceof GptModel, "the unedited file still loads");
    }

    @Test
    void aDirectoryIsNamedWhenLoadedAsAModel() {
        // the JDK's "Is a directory" named no path
        IOException e = assertThrows(IOException.class, () -> Model.load(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("directory"), e.getMessage());
        e = assertThrows(IOException.class, () -> dense().loadWeights(dir));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void loadingDoesNotInitialiseWeightsTheFileProvides() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        Initializer counting = new Initializer() {
            @Override
            public Tensor apply(Shape shape, DType dtype) {
                calls.incrementAndGet();
                return Tensors.zeros(shape, dtype);
            }
        };
        final class Counted extends Layer {
            Counted(String name) {
                super(name);
            }

            @Override
            public void build(Shape in) {
                addWeight("w", Shape.of(in.dim(-1)), counting, null, true);
            }

            @Override
            public Tensor call(Tensor x, boolean training) {
                return x.mul(weights().get(0).value());
            }
        }
        LayerRegistry.register("Counted", c -> new Counted(Config.string(c, "name", null)));
        Model m = new Sequential(new InputLayer(3), new Counted("counted"));
        assertEquals(1, calls.get());
        m.weights().get(0).store(Tensors.of(new float[] {1, 2, 3}));
        Model back = Model.load(saved(m));
        assertEquals(1, calls.get(), "the file provides the weight: its initializer is not run");
        assertArrayEquals(new float[] {1, 2, 3}, back.weights().get(0).stored().toFloatArray());
    }

    @Test
    void wrongTypesUnknownKeysAndBadNumbersAreErrorsNamingFileLayerAndKey() throws IOException {
        Path f = saved(dense());
        long mb = 64L << 20;
        String m = loadFails(edited(f, c -> layerConfig(c, 1).put("units", 16.9)), mb);
        assertTrue(m.contains("Dense 'dense") && m.contains("'units'") && m.contains("16.9"), m);
        m = loadFails(edited(f, c -> layerConfig(c, 1).put("units", (1L << 32) + 3)), mb);
        assertTrue(m.contains("'units'") && m.contains("4294967299"), m); // not loaded as 3
        m = loadFails(edited(f, c -> layerConfig(c, 1).put("unitz", 3)), mb);
        assertTrue(m.contains("unknown config key 'unitz'") && m.contains("units"), m);
        m = loadFails(edited(f, c -> layerConfig(c, 1).put("use_bias", "yes")), mb);
        assertTrue(m.contains("'use_bias'") && m.contains("true or false"), m);
        m = loadFails(edited(f, c -> layerConfig(c, 1).put("activation", 5)), mb);
        assertTrue(m.contains("'activation'") && m.contains("a string"), m);
        m = loadFails(edited(f, c -> layerConfig(c, 1).put("activation", "")), mb); // found by the fuzz test: read as linear
        assertTrue(m.contains("unknown activation ''"), m);
        m = loadFails(edited(f, c -> layerConfig(c, 1).put("kernel_initializer", Map.of("class_name", "Zeros", "config", Map.of("sed", 1)))), mb);
        assertTrue(m.contains("kernel_initializer") && m.contains("'sed'"), m);
        m = loadFails(edited(f, c -> layerConfig(c, 1).remove("units")), mb);
        assertTrue(m.contains("missing config key 'units'"), m);
        m = loadFails(edited(f, c -> ((Map<String, Object>) c.get("config")).put("layerz", List.of())), mb);
        assertTrue(m.contains("'layerz'"), m);
        m = loadFails(edited(f, c -> ((Map<String, Object>) c.get("config")).put("layers", List.of(1, 2))), mb);
        assertTrue(m.contains("layers[0]"), m);
        // the Activation layer used to cast its config values (ClassCastException)
        Path a = dir.resolve("act.javelin");
        new Sequential(new InputLayer(2), new dev.javelin.highlevel.layers.Activation("relu", null)).save(a);
        m = loadFails(edited(a, c -> layerConfig(c, 1).put("activation", List.of())), mb);
        assertTrue(m.contains("'activation'"), m);
    }

    @Test
    void longNamesAreCutShortInMessages() throws IOException {
        Path f = saved(dense());
        String huge = "x".repeat(1 << 20);
        String m = loadFails(edited(f, c -> ((Map<String, Object>) ((List<Object>) ((Map<String, Object>) c.get("config"))
                .get("layers")).get(1)).put("class_name", huge)), 256L << 20);
        assertTrue(m.length() < 2000 && m.contains("unknown layer class"), m.length() + " chars");
        m = loadFails(edited(f, c -> layerConfig(c, 1).put(huge, 1)), 256L << 20);
        assertTrue(m.length() < 2000 && m.contains("unknown config key"), m.length() + " chars");
    }

    @Test
    void aFlippedBitInTheWeightsIsAnError() throws IOException {
        Model model = dense();
        Path f = saved(model);
        byte[] b = Files.readAllBytes(f);
        b[b.length - 3] ^= 0x04;
        Files.write(f, b);
        String m = loadFails(f, 64L << 20);
        assertTrue(m.contains("checksum mismatch"), m);
        // a damaged checksum key cannot pass for an older, unverified file: version 2 files must have one
        Path noKey = dir.resolve("nokey.javelin");
        byte[] renamed = Files.readAllBytes(saved(dense()));
        String header = new String(renamed, StandardCharsets.ISO_8859_1);
        int at = header.indexOf(SafeTensors.CHECKSUM_KEY);
        renamed[at] ^= 0x01;
        Files.write(noKey, renamed);
        m = loadFails(noKey, 64L << 20);
        assertTrue(m.contains("without its " + SafeTensors.CHECKSUM_KEY), m);
        // the same for a weights-only file, and a flipped bit in its data
        Path weights = dir.resolve("weights.safetensors");
        Model w = dense();
        w.saveWeights(weights);
        byte[] good = Files.readAllBytes(weights);
        byte[] bad = good.clone();
        bad[bad.length - 2] ^= 0x10;
        Files.write(weights, bad);
        m = assertThrows(IOException.class, () -> w.loadWeights(weights)).getMessage();
        assertTrue(m.contains("checksum mismatch"), m);
        bad = good.clone();
        bad[new String(good, StandardCharsets.ISO_8859_1).indexOf(SafeTensors.CHECKSUM_KEY)] ^= 0x01;
        Files.write(weights, bad);
        m = assertThrows(IOException.class, () -> w.loadWeights(weights)).getMessage();
        assertTrue(m.contains("without its " + SafeTensors.CHECKSUM_KEY), m);
        Files.write(weights, good);
        w.loadWeights(weights);
    }

    @Test
    void aFileWithoutAChecksumLoadsAndSaysSoAtDebugLevel() throws IOException {
        Model model = dense();
        Tensor x = Tensors.of(new float[][] {{1, -2, 3, 0.5f}});
        Path f = saved(model);
        Path old = dir.resolve("old.javelin");
        Files.write(old, withoutChecksum(Files.readAllBytes(f)));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        String level = System.getProperty("javelin.debug");
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setProperty("javelin.debug", "1");
        Model back;
        try {
            back = Model.load(old);
        } finally {
            System.setErr(saved);
            if (level == null) System.clearProperty("javelin.debug");
            else System.setProperty("javelin.debug", level);
        }
        assertArrayEquals(model.predict(x).toFloatArray(), back.predict(x).toFloatArray());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not verified"), err.toString(StandardCharsets.UTF_8));
    }

    /** The same file as an older writer made it: format version 1, no checksum in the metadata. */
    @SuppressWarnings("unchecked")
    static byte[] withoutChecksum(byte[] file) {
        ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) bb.getLong(0);
        Map<String, Object> header = Json.parseObject(new String(file, 8, n, StandardCharsets.UTF_8).stripTrailing());
        Map<String, Object> md = (Map<String, Object>) header.get("__metadata__");
        md.remove(SafeTensors.CHECKSUM_KEY);
        md.put(ModelArchive.VERSION_KEY, "1");
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + file.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) out.put((byte) ' ');
        out.put(file, 8 + n, file.length - 8 - n);
        return out.array();
    }

    @Test
    void aMillionEntriesOrA50MbNameFailFast() throws IOException {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < 1_000_000; i++) {
            if (i > 0) h.append(',');
            h.append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        Path many = dir.resolve("many.javelin");
        Files.write(many, safetensors(h.append('}').toString()));
        loadFails(many, 1L << 30); // once to warm up, then measured
        String m = loadFails(many, 1L << 30);
        System.out.println("ModelFileHardeningTest: a million tensor entries: " + lastCost);
        assertTrue(m.contains("more than 100001 members"), "the parser stops at the limit: " + m);

        Path longName = dir.resolve("name.javelin");
        Files.write(longName, safetensors("{\"" + "n".repeat(50_000_000) + "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}"));
        loadFails(longName, 1L << 30);
        m = loadFails(longName, 1L << 30);
        System.out.println("ModelFileHardeningTest: a 50 MB name: " + lastCost);
        assertTrue(m.contains("a key longer than 65536 characters") && m.length() < 2000, m);
    }

    private static byte[] safetensors(String header) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
        return out.putLong(json.length).put(json).array();
    }

    @Test
    void aFailedSaveLeavesThePreviousFileIntact() throws IOException {
        Model model = dense();
        Path f = saved(model);
        byte[] before = Files.readAllBytes(f);
        // a weight that cannot be written fails the save part-way through
        Model broken = dense();
        Variable v = broken.weights().get(0);
        v.store(Tensor.symbolic(v.shape(), v.dtype(), dev.javelin.tensor.Device.CPU, null));
        assertThrows(IllegalArgumentException.class, () -> broken.save(f));
        assertThrows(IllegalArgumentException.class, () -> broken.saveWeights(f));
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(List.of("m.javelin"), Files.list(dir).map(p -> p.getFileName().toString()).toList(), "no temporary file is left");
        Model.load(f);
    }
}
