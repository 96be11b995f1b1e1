package dev.javelin.highlevel;

import static dev.javelin.testing.TensorAssert.assertClose;

import dev.javelin.highlevel.layers.Layer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.Fixtures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Keras-style layers against PyTorch (fixtures/layers.json, written by
 * test-support/src/test/python/make_layer_fixtures.py): each case's layer is rebuilt by name through
 * {@link LayerRegistry} from its Keras config, given the fixture's weights (Keras layouts), and its
 * output compared in float32.
 */
class KerasLayersFixtureTest {
    private static final Set<String> NOT_CONFIG = Set.of("name", "layer", "x", "x0", "x1", "out");

    static List<Fixtures.Case> cases() {
        return Fixtures.load("fixtures/layers.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesPyTorch(Fixtures.Case c) {
        Map<String, Object> config = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : c.fields().entrySet()) {
            if (!NOT_CONFIG.contains(e.getKey()) && !e.getKey().startsWith("w_")) config.put(e.getKey(), e.getValue());
        }
        Layer layer = LayerRegistry.create(c.string("layer"), config);
        List<Tensor> inputs = new ArrayList<>();
        if (c.has("x")) inputs.add(c.tensor("x"));
        else inputs.addAll(List.of(c.tensor("x0"), c.tensor("x1")));
        List<Shape> shapes = new ArrayList<>();
        for (Tensor t : inputs) shapes.add(t.shape());
        layer.ensureBuilt(shapes);
        for (Variable v : layer.weights()) {
            String key = "w_" + v.name().substring(v.name().lastIndexOf('/') + 1);
            v.store(c.tensor(key));
        }
        Tensor out = layer.apply(inputs, false);
        assertClose(c.tensor("out"), out, 2e-5, 2e-5);
    }
}
