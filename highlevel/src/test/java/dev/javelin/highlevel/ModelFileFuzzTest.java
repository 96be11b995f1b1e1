package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.javelin.highlevel.layers.Add;
import dev.javelin.highlevel.layers.BatchNormalization;
import dev.javelin.highlevel.layers.Concatenate;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.LayerNormalization;
import dev.javelin.highlevel.layers.MaxPooling2D;
import dev.javelin.json.Json;
import dev.javelin.highlevel.saving.ModelArchive;
import dev.javelin.highlevel.saving.SafeTensors;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.RandomTensors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's acceptance fuzz: thousands of corrupted variants of two saved models (a convnet and a
 * functional model with shared inputs) per run: truncations, bit flips in the header and in the
 * data, config values edited in place, config values replaced by ill-typed or out-of-range ones and
 * re-checksummed (so only the config checks can catch them), keys misspelt, and hostile headers.
 * Each load either fails with an IOException or gives a model whose predictions are bit-identical
 * to the original's; never an Error or another exception. Allocation per load is bounded; time per
 * load is measured and printed (the suite does not assert timings).
 *
 * <p>The seed is printed; rerun one with {@code -Djavelin.fuzz.seed=N}; {@code -Djavelin.fuzz.variants=N}
 * changes the count (default 2,400).
 */
class ModelFileFuzzTest {
    @TempDir
    Path dir;

    private static final long MAX_ALLOCATED = 256L << 20;

    private record Subject(String name, byte[] file, ModelArchive.Contents contents, Tensor input, float[] predictions) {}

    private static Model convnet() {
        return new Sequential(new InputLayer(8, 8, 1), new Conv2D(3, 3, "relu"), new BatchNormalization(), new MaxPooling2D(2),
                new Flatten(), new Dropout(0.25), new Dense(4, "softmax"));
    }

    private static Model functional() {
        Tensor in = Input.of(5);
        Tensor h = new Dense(4, "relu").apply(in);
        Tensor a = new Dense(3).apply(h);
        Tensor b = new Dense(3, "tanh").apply(h);
        Tensor out = new LayerNormalization().apply(new Concatenate().apply(new Add().apply(a, b), a));
        return new Model(in, out);
    }

    private Subject subject(String name, Model m, Shape inputShape, RandomTensors random) throws IOException {
        for (Variable v : m.weights()) v.store(random.uniform(v.shape(), v.dtype(), 0.5, 1.5)); // every weight matters
        Tensor x = random.uniform(inputShape, DType.FLOAT32, -1, 1);
        Path f = dir.resolve(name + ".javelin");
        m.save(f);
        return new Subject(name, Files.readAllBytes(f), ModelArchive.read(f), x, m.predict(x).toFloatArray());
    }

    @Test
    void corruptedModelFilesFailCleanlyOrLoadTheSameModel() throws IOException {
        long seed = Long.getLong("javelin.fuzz.seed", System.nanoTime());
        int variants = Integer.getInteger("javelin.fuzz.variants", 2400);
        System.out.println("ModelFileFuzzTest: seed " + seed + " (rerun with -Djavelin.fuzz.seed=" + seed + ")");
        Random r = new Random(seed);
        RandomTensors random = new RandomTensors(seed);
        List<Subject> subjects = List.of(subject("convnet", convnet(), Shape.of(2, 8, 8, 1), random),
                subject("functional", functional(), Shape.of(3, 5), random));
        String[] kinds = {"truncation", "header bit flips", "data bit flips", "config edited in place",
                "config value replaced (re-checksummed)", "config key misspelt (re-checksummed)", "hostile header"};
        int[] rejected = new int[kinds.length];
        int[] loaded = new int[kinds.length];
        double[] seconds = new double[kinds.length];
        List<String> differentValidModels = new ArrayList<>();
        double slowestMs = 0;
        double mostCpuMs = 0;
        String slowest = "";
        long mostAllocated = 0;
        int overOneSecond = 0;
        Path f = dir.resolve("variant.javelin");
        long start = System.nanoTime();
        long startCpu = ThreadCost.cpuNanos();
        double makingSeconds = 0;
        for (int i = 0; i < variants; i++) {
            long made = System.nanoTime();
            Subject s = subjects.get(i % subjects.size());
            int kind = (i / subjects.size()) % kinds.length;
            byte[] bytes = switch (kind) {
                case 0 -> Arrays.copyOf(s.file, r.nextInt(s.file.length));
                case 1 -> flip(s.file, r, 8, dataStart(s.file));
                case 2 -> flip(s.file, r, dataStart(s.file), s.file.length);
                case 3 -> editInPlace(s.file, r);
                case 4 -> rewritten(s, replaceValue(s.contents.config(), r));
                case 5 -> rewritten(s, misspellKey(s.contents.config(), r));
                default -> hostileHeader(s, r);
            };
            // every 8th through a file (Model.load), the others from memory (the same reader after the file's bytes are read)
            boolean viaFile = i % 8 == 0;
            if (viaFile) Files.write(f, bytes);
            makingSeconds += (System.nanoTime() - made) / 1e9;
            String what = "variant " + i + " (" + kinds[kind] + (kind == kinds.length - 1 ? " " + lastHostile : "") + ", " + s.name
                    + ", seed " + seed + ")";
            long allocatedBefore = ThreadCost.allocatedBytes();
            long t0 = System.nanoTime();
            long cpu0 = ThreadCost.cpuNanos();
            Model m = null;
            try {
                m = viaFile ? Model.load(f) : ModelArchiveIO.load(bytes, "variant " + i);
            } catch (IOException expected) {
                rejected[kind]++;
            } catch (RuntimeException | Error e) {
                fail(what + ": " + e + " escaped Model.load", e);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            mostCpuMs = Math.max(mostCpuMs, (ThreadCost.cpuNanos() - cpu0) / 1e6);
            seconds[kind] += ms / 1e3;
            long allocated = ThreadCost.allocatedBytes() - allocatedBefore;
            if (ms > slowestMs) {
                slowestMs = ms;
                slowest = what;
            }
            if (ms > 1000) overOneSecond++;
            mostAllocated = Math.max(mostAllocated, allocated);
            assertTrue(allocated < MAX_ALLOCATED, what + ": loading allocated " + allocated + " bytes for a " + bytes.length + "-byte file");
            if (m != null) {
                loaded[kind]++;
                float[] got;
                try {
                    got = m.predict(s.input).toFloatArray();
                } catch (RuntimeException e) {
                    throw new AssertionError(what + ": loaded, but cannot predict as the original did", e);
                }
                if (!Arrays.equals(got, s.predictions)) {
                    if (!(kind == 4 && honours(m, bytes))) {
                        fail(what + ": loaded a model whose predictions differ from the original" + (kind == 4 ? " (" + lastEdit + ")" : ""));
                    }
                    differentValidModels.add(lastEdit);
                }
            }
        }
        System.out.printf("ModelFileFuzzTest: %.1f s of CPU for the whole run (%.1f s wall making variants)%n",
                (ThreadCost.cpuNanos() - startCpu) / 1e9, makingSeconds);
        System.out.printf("ModelFileFuzzTest: %d variants in %.1f s; slowest load %.1f ms wall (%s), %d over 1 s; most CPU time of one load %.1f ms;"
                + " most allocated by one load %.1f MB%n", variants, (System.nanoTime() - start) / 1e9, slowestMs, slowest, overOneSecond,
                mostCpuMs, mostAllocated / 1e6);
        for (int k = 0; k < kinds.length; k++) {
            System.out.printf("  %-42s %5d rejected, %4d loaded (identical predictions, or exactly the config the file says), %.2f s of loading%n", kinds[k], rejected[k],
                    loaded[k], seconds[k]);
        }
        System.out.println("  re-checksummed edits that loaded as a different valid model (config honoured exactly): " + differentValidModels);
        assertTrue(variants >= 2000 || System.getProperty("javelin.fuzz.variants") != null, "at least 2,000 variants per run");
        assertTrue(Arrays.stream(rejected).sum() > variants / 2, "most variants are rejected");
    }

    /**
     * A re-checksummed edit can describe a valid, different model (a BatchNormalization epsilon of
     * 1e308): loading it is right when the loaded model's config is exactly the file's, so nothing
     * was defaulted, truncated or ignored.
     */
    private static boolean honours(Model loaded, byte[] file) throws IOException {
        return Json.write(ModelConfig.of(loaded)).equals(Json.write(ModelArchive.read(file, "variant").config()));
    }

    // ---- variants ----------------------------------------------------------------------------

    private static int dataStart(byte[] file) {
        return 8 + (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    /** One to three bits flipped in {@code [from, to)}. */
    private static byte[] flip(byte[] file, Random r, int from, int to) {
        byte[] b = file.clone();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            int at = from + r.nextInt(to - from);
            b[at] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
    }

    /** A character of the stored config changed to another of the same kind, the file's layout kept (as a disk error would). */
    private static byte[] editInPlace(byte[] file, Random r) {
        byte[] b = file.clone();
        int end = dataStart(file);
        String header = new String(b, 8, end - 8, StandardCharsets.ISO_8859_1);
        int from = header.indexOf("\"" + ModelArchive.CONFIG_KEY + "\"");
        int at = from + r.nextInt(end - 8 - from);
        byte c = b[8 + at];
        while (b[8 + at] == c) {
            if (c >= '0' && c <= '9') b[8 + at] = (byte) ('0' + (c - '0' + 1 + r.nextInt(9)) % 10);
            else if (c >= 'a' && c <= 'z') b[8 + at] = (byte) ('a' + (c - 'a' + 1 + r.nextInt(25)) % 26);
            else b[8 + at] = (byte) "0123456789.-e ,:[]{}\"\\".charAt(r.nextInt(22));
        }
        return b;
    }

    /** The file a writer would make from this config and the subject's weights, with a valid checksum. */
    private static byte[] rewritten(Subject s, Map<String, Object> config) throws IOException {
        return file(Json.write(config), s.contents.weights());
    }

    private static byte[] file(String configJson, LinkedHashMap<String, Tensor> weights) throws IOException {
        Map<String, String> md = new LinkedHashMap<>();
        md.put(ModelArchive.FORMAT_KEY, ModelArchive.FORMAT);
        md.put(ModelArchive.VERSION_KEY, ModelArchive.VERSION);
        md.put(ModelArchive.CONFIG_KEY, configJson);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, weights, md);
        return out.toByteArray();
    }

    /** A deep copy of a parsed config. */
    private static Object copy(Object config) {
        return Json.parse(Json.write(config));
    }

    /** Every (container, key or index) holding a value, in a config tree. */
    private static void slots(Object node, List<Object[]> out) {
        if (node instanceof Map<?, ?> m) {
            for (Object k : m.keySet()) {
                out.add(new Object[] {m, k});
                slots(m.get(k), out);
            }
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                out.add(new Object[] {l, i});
                slots(l.get(i), out);
            }
        }
    }

    /** One value of the config replaced by one of another JSON type, or out of range, or not integral. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> replaceValue(Map<String, Object> config, Random r) {
        Map<String, Object> c = (Map<String, Object>) copy(config);
        List<Object[]> slots = new ArrayList<>();
        slots(c, slots);
        Object[] slot = slots.get(r.nextInt(slots.size()));
        Object old = slot[0] instanceof Map<?, ?> m ? m.get(slot[1]) : ((List<?>) slot[0]).get((Integer) slot[1]);
        Object[] candidates = switch (old) {
            case Long l -> new Object[] {l + 0.5, (1L << 32) + l, 1L << 31, Long.MIN_VALUE, 1e308, String.valueOf(l), true, List.of(l)};
            case Double d -> new Object[] {String.valueOf(d), -1e308, 1e308, true, List.of(d), Map.of()};
            case String str -> new Object[] {5L, List.of(), Map.of(), str + "x".repeat(100_000), "", str.toUpperCase() + "?", true};
            case Boolean b -> new Object[] {String.valueOf(b), 1L, 0L, List.of(b)};
            case List<?> l -> new Object[] {Map.of(), "x", 5L, List.of(List.of()), Arrays.asList(new Object[l.size() + 1]),
                    java.util.Collections.nCopies(100_000, 0L)};
            case Map<?, ?> m -> new Object[] {List.of(), "x", 5L};
            case null -> new Object[] {5L, "x", List.of(), Map.of(), -1L};
            default -> throw new IllegalStateException(String.valueOf(old));
        };
        Object v = candidates[r.nextInt(candidates.length)];
        lastEdit = slot[1] + ": " + dev.javelin.highlevel.saving.Shortened.of(old) + " -> " + dev.javelin.highlevel.saving.Shortened.of(v);
        if (slot[0] instanceof Map<?, ?>) ((Map<Object, Object>) slot[0]).put(slot[1], v);
        else ((List<Object>) slot[0]).set((Integer) slot[1], v);
        return c;
    }

    /** One key of the config misspelt (a letter added), so a known setting becomes an unknown one. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> misspellKey(Map<String, Object> config, Random r) {
        Map<String, Object> c = (Map<String, Object>) copy(config);
        List<Object[]> slots = new ArrayList<>();
        slots(c, slots);
        slots.removeIf(s -> !(s[0] instanceof Map<?, ?>));
        Object[] slot = slots.get(r.nextInt(slots.size()));
        Map<String, Object> m = (Map<String, Object>) slot[0];
        Map<String, Object> renamed = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) renamed.put(e.getKey().equals(slot[1]) ? e.getKey() + "z" : e.getKey(), e.getValue());
        m.clear();
        m.putAll(renamed);
        return c;
    }

    /** What the last value replacement changed, for a failure's message. */
    private static String lastEdit = "";

    /** Which hostile header the last variant was, for the report. */
    private static int lastHostile;

    /** A header a hostile writer might make: huge or many entries, deep nesting, lies about sizes, huge claims in a valid file. */
    private static byte[] hostileHeader(Subject s, Random r) throws IOException {
        byte[] data = Arrays.copyOfRange(s.file, dataStart(s.file), s.file.length);
        String entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        String config = Json.write(s.contents.config());
        int kind = r.nextInt(12);
        lastHostile = kind;
        return switch (kind) {
            case 0 -> lengthField(s.file, r.nextLong());
            case 1 -> lengthField(s.file, r.nextBoolean() ? s.file.length : -8);
            case 2 -> raw("[".repeat(100_000), data);
            case 3 -> raw("{\"" + "n".repeat(1 + r.nextInt(200_000)) + "\":" + entry + "}", data);
            case 4 -> {
                StringBuilder b = new StringBuilder("{");
                int n = r.nextInt(50) == 0 ? 150_000 : 1 + r.nextInt(5_000); // the limit is 100,000 (a million: ModelFileHardeningTest)
                for (int i = 0; i < n; i++) b.append(i > 0 ? "," : "").append("\"t").append(i).append("\":").append(entry);
                yield raw(b.append('}').toString(), data);
            }
            case 5 -> raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[" + (1L << r.nextInt(63)) + "," + r.nextInt() + "],\"data_offsets\":[0,"
                    + r.nextLong() + "]}}", data);
            case 6 -> raw("{\"a\":" + entry + ",\"a\":" + entry + "}", data);
            case 7 -> file("[".repeat(300) + "]".repeat(300), s.contents.weights());
            case 8 -> file(config.replaceFirst("\\[", "[" + "{\"class_name\":\"Flatten\",\"config\":{}},".repeat(1 + r.nextInt(1_000))),
                    s.contents.weights());
            case 9 -> file(config.replace("\"class_name\":\"Dense\"", "\"class_name\":\"" + "D".repeat(1 + r.nextInt(200_000)) + "\""),
                    s.contents.weights());
            case 10 -> file(nestedSequential(1 + r.nextInt(120)), new LinkedHashMap<>());
            default -> file(config.replaceAll("\"units\":\\d+", "\"units\":" + (Integer.MAX_VALUE - r.nextInt(1000))), s.contents.weights());
        };
    }

    private static String nestedSequential(int depth) {
        String inner = "{\"class_name\":\"Sequential\",\"config\":{\"layers\":[{\"class_name\":\"InputLayer\",\"config\":{\"batch_shape\":[null,"
                + Integer.MAX_VALUE + "]}}]}}";
        for (int i = 0; i < depth; i++) inner = "{\"class_name\":\"Sequential\",\"config\":{\"layers\":[" + inner + "]}}";
        return inner;
    }

    private static byte[] lengthField(byte[] file, long length) {
        byte[] b = file.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return b;
    }

    private static byte[] raw(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json).put(data)
                .array();
    }
}
