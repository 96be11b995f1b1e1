package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.javelin.onnx.proto.OnnxProto.AttributeProto;
import dev.javelin.onnx.proto.OnnxProto.GraphProto;
import dev.javelin.onnx.proto.OnnxProto.ModelProto;
import dev.javelin.onnx.proto.OnnxProto.NodeProto;
import dev.javelin.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.javelin.onnx.proto.OnnxProto.TensorProto;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import dev.javelin.highlevel.Model;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of corrupted variants of exported models: truncations, bit flips, and edits of the
 * parsed protobuf that keep it well-formed but wrong (dimensions, attributes, op types, wiring,
 * element types, hostile external data, huge shapes). Each load either fails with an
 * {@link OnnxFormatException} or gives a model that runs on an input of its declared shape, or
 * (rarely: a size the load-time check did not probe) fails there with an error naming the node;
 * never another exception, an {@code Error}, a hang or an outsized allocation. One in
 * {@link #TO_MODEL_EVERY} of those that ran is also converted by {@code toModel()} and predicted: it
 * works or refuses with an {@code IllegalArgumentException}. Times are printed, not asserted.
 *
 * <p>The seed is printed; rerun one with {@code -Djavelin.fuzz.seed=N}; {@code -Djavelin.fuzz.variants=N}
 * changes the count (default 2,400); {@code -Djavelin.fuzz.only=I} runs variant I alone and writes it to
 * {@code target/fuzz-variant.onnx}; {@code -Djavelin.fuzz.models=lstm_bi2,gru_state} fuzzes other fixtures.
 */
class OnnxFileFuzzTest {
    private static final long MAX_ALLOCATED = 256L << 20;
    /** One in this many variants that ran is also converted with {@code toModel} and predicted (a conversion costs more than a run). */
    private static final int TO_MODEL_EVERY = 16;
    private static final String[] KINDS = {"truncation", "bit flips", "dimension edited", "attribute edited", "op type swapped",
        "wiring edited", "element type edited", "node dropped", "hostile tensor"};

    private record Subject(String name, byte[] file, ModelProto proto, Tensor[] input) {}

    private static Subject subject(String name) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        byte[] bytes = Files.readAllBytes(c.model());
        return new Subject(name, bytes, ModelProto.parseFrom(bytes), c.inputArray());
    }

    @Test
    void corruptedFilesFailCleanlyOrRun() throws IOException {
        long seed = Long.getLong("javelin.fuzz.seed", System.nanoTime());
        int variants = Integer.getInteger("javelin.fuzz.variants", 2400);
        System.out.println("OnnxFileFuzzTest: seed " + seed + " (rerun with -Djavelin.fuzz.seed=" + seed + ")");
        Random r = new Random(seed);
        int only = Integer.getInteger("javelin.fuzz.only", -1); // one variant of the seed, written to target/fuzz-variant.onnx
        List<Subject> subjects = new java.util.ArrayList<>();
        for (String name : System.getProperty("javelin.fuzz.models", "mlp,convnet,encoder").split(",")) subjects.add(subject(name.strip()));
        for (Subject s : subjects) OnnxModel.load(s.file, s.name).apply(s.input); // the first run generates the eager kernels: not the loader's time
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int[] rejected = new int[KINDS.length], ran = new int[KINDS.length], failedAtRun = new int[KINDS.length],
                notRun = new int[KINDS.length], converted = new int[KINDS.length];
        double slowestMs = 0;
        String slowest = "";
        int overOneSecond = 0;
        long mostAllocated = 0;
        long start = System.nanoTime();
        for (int i = 0; i < variants; i++) {
            Subject s = subjects.get(i % subjects.size());
            int kind = (i / subjects.size()) % KINDS.length;
            byte[] bytes = variant(s, kind, r);
            if (only >= 0 && i != only) continue;
            if (only >= 0) Files.write(java.nio.file.Path.of("target", "fuzz-variant.onnx"), bytes);
            String what = "variant " + i + " (" + KINDS[kind] + ", " + s.name + ", seed " + seed + ")";
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            OnnxModel m = null;
            try {
                m = OnnxModel.load(bytes, what, 1L << 22);
            } catch (OnnxFormatException expected) {
                rejected[kind]++;
            } catch (RuntimeException | Error e) {
                fail(what + ": " + e + " escaped OnnxModel.load", e);
            }
            Tensor[] input = m == null ? null : inputFor(m, s.input);
            long inputElements = input == null ? 0 : Arrays.stream(input).mapToLong(Tensor::size).sum();
            if (inputElements > 1 << 16) {
                notRun[kind]++; // an edit made the declared input large: a valid model, too costly to run here
            } else if (m != null) {
                try {
                    m.apply(input);
                    ran[kind]++;
                    if (ran[kind] % TO_MODEL_EVERY == 1) converted[kind] += toModel(m, input, what) ? 1 : 0;
                } catch (NodeError e) { // a size the load-time check did not try (it probes symbolic sizes 1 and 7)
                    failedAtRun[kind]++;
                    System.out.println("  " + what + ": loaded, failed to run: " + e.getMessage());
                } catch (RuntimeException | Error e) {
                    fail(what + ": loaded, but running it on an input of the declared shape threw " + e, e);
                }
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            mostAllocated = Math.max(mostAllocated, allocated);
            assertTrue(allocated < MAX_ALLOCATED, what + ": allocated " + allocated + " bytes");
            if (ms > slowestMs) {
                slowestMs = ms;
                slowest = what;
            }
            if (ms > 1000) overOneSecond++;
        }
        System.out.printf("OnnxFileFuzzTest: %d variants in %.1f s; slowest %.1f ms (%s), %d over 1 s; most allocated by one %.1f MB%n",
                variants, (System.nanoTime() - start) / 1e9, slowestMs, slowest, overOneSecond, mostAllocated / 1e6);
        for (int k = 0; k < KINDS.length; k++) {
            System.out.printf("  %-20s %5d rejected at load, %5d loaded and ran, %3d loaded and failed to run naming the node,"
                    + " %3d loaded with a large declared input (not run); toModel on %d of those that ran: %d converted and predicted%n",
                    KINDS[k], rejected[k], ran[k], failedAtRun[k], notRun[k], (ran[k] + TO_MODEL_EVERY - 1) / TO_MODEL_EVERY, converted[k]);
        }
        assertTrue(variants >= 2000 || System.getProperty("javelin.fuzz.variants") != null, "at least 2,000 variants per run");
        assertTrue(only >= 0 || Arrays.stream(rejected).sum() > variants / 4, "a good share of the variants is rejected");
    }

    /**
     * {@code toModel} on a variant that loaded and ran: it converts and predicts, or refuses with an
     * {@code IllegalArgumentException} that says why; nothing else. True when it converted.
     */
    private static boolean toModel(OnnxModel m, Tensor[] input, String what) {
        Map<String, Integer> sizes = new HashMap<>();
        for (int i = 0; i < input.length; i++) {
            ValueInfo v = m.inputs().get(i);
            for (int d = 1; d < v.dims().length; d++) if (v.isDynamic(d) && v.dimNames()[d] != null) sizes.put(v.dimNames()[d], input[i].dim(d));
        }
        try {
            Model layers = m.toModel(sizes);
            layers.predictOutputs(List.of(input), 32);
            return true;
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), what + ": toModel refused without a message");
            return false;
        } catch (RuntimeException | Error e) {
            fail(what + ": loaded and ran, but toModel or its predict threw " + e, e);
            return false;
        }
    }

    /** The fixture's input, or (when an edit changed the declared input) one of the declared shape and type. */
    private static Tensor[] inputFor(OnnxModel m, Tensor[] fixture) {
        Tensor[] in = new Tensor[m.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            ValueInfo v = m.inputs().get(i);
            int[] dims = v.dims();
            Tensor f = i < fixture.length ? fixture[i] : null;
            boolean fits = f != null && f.dtype() == v.dtype() && f.rank() == dims.length;
            for (int d = 0; fits && d < dims.length; d++) fits = dims[d] < 0 || dims[d] == f.dim(d);
            if (fits) {
                in[i] = f;
                continue;
            }
            for (int d = 0; d < dims.length; d++) if (dims[d] < 0) dims[d] = 2;
            in[i] = Tensors.zeros(Shape.of(dims), v.dtype());
        }
        return in;
    }

    private static byte[] variant(Subject s, int kind, Random r) {
        byte[] f = s.file;
        return switch (kind) {
            case 0 -> Arrays.copyOf(f, r.nextInt(f.length));
            case 1 -> {
                byte[] b = f.clone();
                // mostly in the graph's structure (nodes come before the weights), sometimes anywhere
                int range = r.nextBoolean() ? Math.min(f.length, 4096) : f.length;
                for (int n = 1 + r.nextInt(3); n > 0; n--) b[r.nextInt(range)] ^= (byte) (1 << r.nextInt(8));
                yield b;
            }
            default -> edited(s.proto, kind, r).toByteArray();
        };
    }

    private static final long[] ODD = {0, 1, -1, -2, 2, 3, 7, 1L << 31, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, 100000};

    private static ModelProto edited(ModelProto m, int kind, Random r) {
        GraphProto.Builder g = m.getGraph().toBuilder();
        int nodes = g.getNodeCount();
        switch (kind) {
            case 2 -> { // a dimension of an initializer (its data no longer fits) or of the declared input
                if (r.nextBoolean() && g.getInitializerCount() > 0) {
                    int t = r.nextInt(g.getInitializerCount());
                    TensorProto.Builder tb = g.getInitializer(t).toBuilder();
                    if (tb.getDimsCount() > 0) tb.setDims(r.nextInt(tb.getDimsCount()), ODD[r.nextInt(ODD.length)]);
                    else tb.addDims(ODD[r.nextInt(ODD.length)]);
                    g.setInitializer(t, tb);
                } else {
                    var in = g.getInput(0).toBuilder();
                    var shape = in.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
                    int d = r.nextInt(shape.getDimCount());
                    shape.setDim(d, shape.getDim(d).toBuilder().clearDimParam().setDimValue(Math.floorMod(ODD[r.nextInt(ODD.length)], 1L << 33)));
                    g.setInput(0, in);
                }
            }
            case 3 -> { // an attribute's value
                int k = r.nextInt(nodes);
                NodeProto.Builder nb = g.getNode(k).toBuilder();
                if (nb.getAttributeCount() == 0) {
                    nb.addAttribute(AttributeProto.newBuilder().setName(r.nextBoolean() ? "axis" : "perm").setType(AttributeProto.AttributeType.INT)
                            .setI(ODD[r.nextInt(ODD.length)]));
                } else {
                    int a = r.nextInt(nb.getAttributeCount());
                    AttributeProto.Builder ab = nb.getAttribute(a).toBuilder();
                    switch (r.nextInt(4)) {
                        case 0 -> ab.setI(ODD[r.nextInt(ODD.length)]);
                        case 1 -> ab.clearInts().addInts(ODD[r.nextInt(ODD.length)]).addInts(ODD[r.nextInt(ODD.length)]);
                        case 2 -> ab.setType(AttributeProto.AttributeType.forNumber(1 + r.nextInt(13)));
                        default -> ab.setF(r.nextBoolean() ? Float.NaN : -1e30f);
                    }
                    nb.setAttribute(a, ab);
                }
                g.setNode(k, nb);
            }
            case 4 -> { // the op type of a node, for another supported or an unknown one
                List<String> ops = Operators.supported();
                int k = r.nextInt(nodes);
                g.setNode(k, g.getNode(k).toBuilder().setOpType(r.nextInt(8) == 0 ? "Loop" : ops.get(r.nextInt(ops.size()))));
            }
            case 5 -> { // an input wired to another value, removed, or left empty
                int k = r.nextInt(nodes);
                NodeProto.Builder nb = g.getNode(k).toBuilder();
                if (nb.getInputCount() > 0) {
                    int in = r.nextInt(nb.getInputCount());
                    NodeProto other = g.getNode(r.nextInt(nodes));
                    switch (r.nextInt(3)) {
                        case 0 -> nb.setInput(in, other.getOutput(0));
                        case 1 -> nb.setInput(in, "");
                        default -> nb.addInput(g.getInitializerCount() > 0 ? g.getInitializer(r.nextInt(g.getInitializerCount())).getName() : "x");
                    }
                }
                g.setNode(k, nb);
            }
            case 6 -> { // an element type
                int[] types = {0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 13, 14, 16, 99};
                if (r.nextBoolean() && g.getInitializerCount() > 0) {
                    int t = r.nextInt(g.getInitializerCount());
                    g.setInitializer(t, g.getInitializer(t).toBuilder().setDataType(types[r.nextInt(types.length)]));
                } else {
                    var in = g.getInput(0).toBuilder();
                    in.getTypeBuilder().getTensorTypeBuilder().setElemType(types[r.nextInt(types.length)]);
                    g.setInput(0, in);
                }
            }
            case 7 -> g.removeNode(r.nextInt(nodes));
            default -> { // hostile tensors: huge shapes, external data outside any folder, typed data that does not fit
                TensorProto.Builder t = TensorProto.newBuilder().setName(g.getInitializerCount() > 0 ? g.getInitializer(0).getName() : "w")
                        .setDataType(TensorReader.FLOAT);
                switch (r.nextInt(4)) {
                    case 0 -> t.addDims(1L << 20).addDims(1L << 20).setRawData(ByteString.copyFrom(new byte[16]));
                    case 1 -> t.addDims(4).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                            .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../../etc/passwd"));
                    case 2 -> t.addDims(3).addFloatData(1f);
                    default -> t.addDims(Integer.MAX_VALUE).addDims(Integer.MAX_VALUE);
                }
                if (g.getInitializerCount() > 0) g.setInitializer(0, t);
                else g.addInitializer(t);
            }
        }
        return m.toBuilder().setGraph(g).build();
    }

}
