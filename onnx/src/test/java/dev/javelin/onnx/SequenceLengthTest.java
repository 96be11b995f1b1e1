package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Model;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A symbolic dimension besides the batch (a sequence length, {@code dynamic_axes} on dim 1) works
 * for every length: each length gets its own program (the shape arithmetic folds per length), a
 * length seen before reuses its program, and every length gives PyTorch's outputs, compiled and op
 * by op. The fixtures hold PyTorch's outputs at several lengths (make_onnx_fixtures.py, {@code more=}).
 */
class SequenceLengthTest {
    @ParameterizedTest
    @CsvSource({"encoder_seq, '', .len1, .len4, .len9", "decoder, '', .len1, .len5, .len16"})
    void everyLengthGivesPyTorchsOutputs(String name, String base, String a, String b, String c) throws IOException {
        OnnxModel model = OnnxModel.load(OnnxFixtures.load("models", name).model());
        List<String> order = List.of(base, a, b, c, a, base); // back to lengths seen before
        Set<Integer> lengths = new HashSet<>();
        for (String suffix : order) {
            OnnxFixtures.Case data = OnnxFixtures.load("models", name, name + suffix);
            Tensor expected = data.outputs().values().iterator().next();
            lengths.add(data.inputArray()[0].dim(1));
            TensorAssert.assertClose(expected, model.call(data.inputArray())[0], 1e-4, 1e-5);
            TensorAssert.assertClose(expected, model.apply(data.inputArray())[0], 1e-4, 1e-5);
        }
        long programs = model.function().compilations();
        assertTrue(programs <= lengths.size(), name + ": " + programs + " programs for " + lengths.size() + " lengths: "
                + model.function().recompileReasons());
    }

    /** Without a size, {@code toModel()} leaves the length free: one model of layers matches PyTorch at every length. */
    @ParameterizedTest
    @CsvSource({"encoder_seq, '', .len1, .len9", "decoder, .len16, .len1, .len5"})
    void toModelTakesAnyLength(String name, String a, String b, String c) throws IOException {
        Model layers = OnnxModel.load(OnnxFixtures.load("models", name).model()).toModel();
        for (String suffix : List.of(a, b, c)) {
            OnnxFixtures.Case data = OnnxFixtures.load("models", name, name + suffix);
            TensorAssert.assertClose(data.outputs().values().iterator().next(), layers.predict(data.inputArray()[0]), 1e-4, 1e-5);
        }
    }

    /** {@code toModel} fixes the symbolic length at a size the caller gives; the layers then match PyTorch at that length. */
    @ParameterizedTest
    @CsvSource({"encoder_seq, seq, .len4", "decoder, sequence, .len5"})
    void toModelTakesTheLengthByName(String name, String dim, String suffix) throws IOException {
        OnnxFixtures.Case data = OnnxFixtures.load("models", name, name + suffix);
        Tensor x = data.inputArray()[0];
        Model layers = OnnxModel.load(data.model()).toModel(Map.of(dim, x.dim(1)));
        TensorAssert.assertClose(data.outputs().values().iterator().next(), layers.predict(x), 1e-4, 1e-5);
    }
}
