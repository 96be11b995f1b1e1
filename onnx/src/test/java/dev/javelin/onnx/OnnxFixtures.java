package dev.javelin.onnx;

import dev.javelin.onnx.proto.OnnxProto.GraphProto;
import dev.javelin.onnx.proto.OnnxProto.TensorProto;
import dev.javelin.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixtures written by {@code test-support/src/test/python/make_onnx_fixtures.py}: a model file and
 * its test data (a GraphProto whose initializers are the inputs, named {@code input:<name>}, and the
 * expected outputs, {@code output:<name>}).
 */
final class OnnxFixtures {
    private OnnxFixtures() {}

    record Case(String name, Path model, Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
        Tensor[] inputArray() {
            return inputs.values().toArray(new Tensor[0]);
        }
    }

    static Case load(String folder, String name) {
        try {
            Path dir = Path.of(OnnxFixtures.class.getResource("/dev/javelin/onnx/" + folder).toURI());
            return load(dir, name);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The case {@code name} in a folder on disk ({@code name.onnx} and {@code name.io.pb}). */
    static Case load(Path dir, String name) {
        return load(dir, name, name);
    }

    /** Further test data of the model {@code name}: {@code <data>.io.pb} (e.g. {@code decoder.len5}, another sequence length). */
    static Case load(String folder, String name, String data) {
        try {
            return load(Path.of(OnnxFixtures.class.getResource("/dev/javelin/onnx/" + folder).toURI()), name, data);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Further test data of the model {@code name} in a folder on disk: {@code <data>.io.pb}. */
    static Case load(Path dir, String name, String data) {
        Path io = dir.resolve(data + ".io.pb");
        try (InputStream in = java.nio.file.Files.newInputStream(io)) {
            GraphProto g = GraphProto.parseFrom(in);
            Map<String, Tensor> inputs = new LinkedHashMap<>(), outputs = new LinkedHashMap<>();
            for (TensorProto t : g.getInitializerList()) {
                Tensor v = TensorReader.read(t, null, io + " " + t.getName());
                if (t.getName().startsWith("input:")) inputs.put(t.getName().substring(6), v);
                else outputs.put(t.getName().substring(7), v);
            }
            return new Case(name, dir.resolve(name + ".onnx"), inputs, outputs);
        } catch (IOException e) {
            throw new UncheckedIOException("missing or unreadable fixture " + io + " (run make_onnx_fixtures.py)", e);
        }
    }

    /** The names of every case in a folder (from the resource listing). */
    static List<String> names(String folder) {
        try {
            Path dir = Path.of(OnnxFixtures.class.getResource("/dev/javelin/onnx/" + folder).toURI());
            List<String> names = new ArrayList<>();
            try (var files = java.nio.file.Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx")).sorted()
                        .forEach(n -> names.add(n.substring(0, n.length() - 5)));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
