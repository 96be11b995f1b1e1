package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Tensor;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;

import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every supported operator on its own: single-node models built with onnx.helper by
 * make_onnx_fixtures.py, with outputs computed by PyTorch or NumPy from ONNX's definitions
 * (broadcasting, negative axes, attribute defaults, optional inputs). Each runs op by op and
 * compiled; integer and bool results must be exact.
 */
class OperatorCasesTest {
    static Stream<String> cases() {
        return OnnxFixtures.names("ops").stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesReference(String name) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("ops", name);
        OnnxModel model = OnnxModel.load(c.model());
        Tensor[] eager = model.apply(c.inputArray());
        Tensor[] compiled = c.inputs().isEmpty() ? eager : model.call(c.inputArray());
        List<Tensor> expected = List.copyOf(c.outputs().values());
        assertEquals(expected.size(), model.outputs().size());
        for (int i = 0; i < expected.size(); i++) {
            check(name + " output " + i + " (op by op)", expected.get(i), eager[i]);
            check(name + " output " + i + " (compiled)", expected.get(i), compiled[i]);
        }
    }

    private static void check(String what, Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        try {
            if (expected.dtype().isFloating()) TensorAssert.assertClose(expected, actual, 1e-5, 1e-5);
            else TensorAssert.assertEqual(expected, actual);
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
    }

    /** Every operator in the table has at least one case of its own. */
    @Test
    void everyOperatorHasACase() throws IOException {
        Set<String> covered = new HashSet<>();
        for (String name : OnnxFixtures.names("ops")) {
            OnnxModel m = OnnxModel.load(OnnxFixtures.load("ops", name).model());
            for (OnnxNode n : m.graph().nodes()) covered.add(n.opType());
        }
        Set<String> missing = new HashSet<>(Operators.supported());
        missing.removeAll(covered);
        assertTrue(missing.isEmpty(), "operators without a single-node case: " + missing);
    }

}
