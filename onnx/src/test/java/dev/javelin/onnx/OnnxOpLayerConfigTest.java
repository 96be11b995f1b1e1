package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link OnnxOpLayer}'s config: it round-trips (the layer made from it computes the same), and a
 * config that is not one (a node reading a value nobody makes, an unknown operator, kind or dtype,
 * values that are not numbers) is refused with an {@code IllegalArgumentException} naming the layer.
 */
class OnnxOpLayerConfigTest {
    /** {@code y = Reshape(x * w, Shape(x))}: a parameter, shape arithmetic, and a -inf constant in the config. */
    private static OnnxOpLayer layer() {
        List<OnnxNode> nodes = List.of(
                new OnnxNode("shape", "Shape", List.of("x"), List.of("s"), Map.of()),
                new OnnxNode("scale", "Mul", List.of("x", "w"), List.of("m"), Map.of()),
                new OnnxNode("floor", "Max", List.of("m", "lo"), List.of("c"), Map.of()),
                new OnnxNode("back", "Reshape", List.of("c", "s"), List.of("y"), Map.of()));
        Map<String, OnnxOpLayer.Slot> constants = new LinkedHashMap<>();
        constants.put("w", OnnxOpLayer.constant(Tensors.uniform(Shape.of(3), 1), true, false));
        constants.put("lo", OnnxOpLayer.constant(Tensors.scalar(Double.NEGATIVE_INFINITY), false, false));
        OnnxOpLayer l = new OnnxOpLayer("probe", 17, nodes, List.of("x"), constants, "y");
        l.ensureBuilt(List.of(Shape.of(2, 3)));
        l.assignConstants();
        return l;
    }

    @Test
    void roundTrips() {
        OnnxOpLayer l = layer();
        OnnxOpLayer again = OnnxOpLayer.fromConfig(l.getConfig());
        again.ensureBuilt(List.of(Shape.of(2, 3)));
        again.trainableWeights().get(0).assign(l.trainableWeights().get(0).value());
        Tensor x = Tensors.normal(Shape.of(4, 3), 2);
        assertArrayEquals(l.apply(x).toFloatArray(), again.apply(x).toFloatArray());
        assertTrue(again.trainableWeights().size() == 1, "the parameter stays trainable");
    }

    @Test
    void malformedConfigsAreRefusedNamingTheLayer() {
        List<Consumer<Map<String, Object>>> edits = List.of(
                c -> c.remove("nodes"),
                c -> node(c, 1).put("op_type", "Loop"),
                c -> node(c, 3).put("inputs", List.of("c", "nowhere")),
                c -> c.put("output", "nowhere"),
                c -> c.put("op_type", "Relu"),
                c -> c.put("inputs", List.of()),
                c -> constant(c, "w").put("kind", "BOGUS"),
                c -> constant(c, "w").put("dtype", "FLOAT99"),
                c -> constant(c, "lo").put("values", List.of("minus infinity")),
                c -> constant(c, "lo").put("shape", List.of(2)),
                c -> node(c, 2).put("attributes", Map.of("axis", Map.of("kind", "NOPE", "value", 1))));
        for (int i = 0; i < edits.size(); i++) {
            Map<String, Object> c = deepCopy(layer().getConfig());
            edits.get(i).accept(c);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxOpLayer.fromConfig(c), "edit " + i);
            assertTrue(e.getMessage() != null && (e.getMessage().contains("probe") || e.getMessage().contains("OnnxOpLayer")),
                    "edit " + i + ": " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> node(Map<String, Object> c, int i) {
        return (Map<String, Object>) ((List<Object>) c.get("nodes")).get(i);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> constant(Map<String, Object> c, String name) {
        return (Map<String, Object>) ((Map<String, Object>) c.get("constants")).get(name);
    }

    @SuppressWarnings("unchecked")
    private static <T> T deepCopy(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
            return (T) copy;
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            for (Object o : l) copy.add(deepCopy(o));
            return (T) copy;
        }
        return value;
    }
}
