package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.KerasTensors;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.Node;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's architecture as plain maps and lists (what {@link Model#save} writes as JSON), and the
 * way back. Sequential models list their layers; functional models list their layers once and
 * their nodes (each naming a layer and the nodes it reads), so shared layers survive; subclassed
 * models save their own {@code getConfig()} and come back through {@link LayerRegistry}.
 */
final class ModelConfig {
    private ModelConfig() {}

    static Map<String, Object> of(Model model) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>();
        if (model instanceof Sequential s) {
            out.put("class_name", "Sequential");
            config.put("name", s.name());
            List<Object> layers = new ArrayList<>();
            if (s.inputLayer() != null) layers.add(layerEntry(s.inputLayer()));
            for (Layer l : s.layers()) layers.add(layerEntry(l));
            config.put("layers", layers);
        } else if (model.graph() != null) {
            out.put("class_name", "Functional");
            FunctionalGraph g = model.graph();
            config.put("name", model.name());
            List<Object> layers = new ArrayList<>();
            for (Layer l : g.layers()) layers.add(layerEntry(l));
            config.put("layers", layers);
            Map<Tensor, Integer> ids = new IdentityHashMap<>();
            List<Object> nodes = new ArrayList<>();
            for (Tensor t : g.inputs) {
                ids.put(t, nodes.size());
                nodes.add(Map.of("layer", KerasTensors.nodeOf(t).layer().name(), "inputs", List.of()));
            }
            for (Node n : g.nodes) {
                List<Object> in = new ArrayList<>();
                for (Tensor t : n.inputs()) in.add(ids.get(t));
                ids.put(n.output(), nodes.size());
                nodes.add(Map.of("layer", n.layer().name(), "inputs", in));
            }
            config.put("nodes", nodes);
            config.put("inputs", g.inputs.stream().map(ids::get).toList());
            config.put("outputs", g.outputs.stream().map(ids::get).toList());
        } else {
            out.put("class_name", model.getClass().getSimpleName());
            config.putAll(model.getConfig());
        }
        if (model.buildShapes() != null) {
            List<Object> shapes = new ArrayList<>();
            for (Shape sh : model.buildShapes()) shapes.add(batchShape(sh));
            config.put("build_input_shapes", shapes);
        }
        out.put("config", config);
        return out;
    }

    private static Map<String, Object> layerEntry(Layer l) {
        if (l instanceof Model nested) return of(nested);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class_name", l.getClass().getSimpleName());
        m.put("config", l.getConfig());
        return m;
    }

    private static List<Object> batchShape(Shape s) {
        List<Object> out = new ArrayList<>();
        out.add(null);
        for (int i = 1; i < s.rank(); i++) out.add(s.dim(i));
        return out;
    }

    // ---- back ------------------------------------------------------------------------------

    static Model from(Map<String, Object> entry) {
        String cls = str(entry, "class_name");
        Map<String, Object> config = map(entry, "config");
        Model model = switch (cls) {
            case "Sequential" -> sequential(config);
            case "Functional" -> functional(config);
            default -> {
                Layer l = LayerRegistry.create(cls, config);
                if (!(l instanceof Model m)) {
                    throw new IllegalArgumentException("Model.load: '" + cls + "' is registered as a layer, not a model");
                }
                yield m;
            }
        };
        if (!model.isBuilt() && config.get("build_input_shapes") instanceof List<?> shapes) {
            List<Shape> s = new ArrayList<>();
            for (Object o : shapes) s.add(shapeOf(o));
            model.ensureBuilt(s);
        }
        return model;
    }

    private static Model sequential(Map<String, Object> config) {
        List<Layer> layers = new ArrayList<>();
        for (Object o : list(config, "layers")) layers.add(layer(asMap(o, "layers[]")));
        return new Sequential(layers, (String) config.get("name"));
    }

    private static Model functional(Map<String, Object> config) {
        Map<String, Layer> byName = new LinkedHashMap<>();
        for (Object o : list(config, "layers")) {
            Layer l = layer(asMap(o, "layers[]"));
            if (byName.put(l.name(), l) != null) throw new IllegalArgumentException("Model.load: two layers named '" + l.name() + "'");
        }
        List<Tensor> tensors = new ArrayList<>();
        for (Object o : list(config, "nodes")) {
            Map<String, Object> node = asMap(o, "nodes[]");
            String name = str(node, "layer");
            Layer l = byName.get(name);
            if (l == null) throw new IllegalArgumentException("Model.load: a node names the unknown layer '" + name + "'");
            List<Tensor> in = new ArrayList<>();
            for (Object idx : list(node, "inputs")) in.add(tensors.get(index(idx, tensors.size())));
            tensors.add(l instanceof InputLayer input ? input.output() : l.apply(in, false));
        }
        List<Tensor> inputs = new ArrayList<>();
        for (Object idx : list(config, "inputs")) inputs.add(tensors.get(index(idx, tensors.size())));
        List<Tensor> outputs = new ArrayList<>();
        for (Object idx : list(config, "outputs")) outputs.add(tensors.get(index(idx, tensors.size())));
        return new Model(inputs, outputs, (String) config.get("name"));
    }

    private static Layer layer(Map<String, Object> entry) {
        String cls = str(entry, "class_name");
        if (cls.equals("Sequential") || cls.equals("Functional")) return from(entry);
        return LayerRegistry.create(cls, map(entry, "config"));
    }

    private static Shape shapeOf(Object o) {
        if (!(o instanceof List<?> l) || l.isEmpty()) throw new IllegalArgumentException("Model.load: bad input shape " + o);
        int[] d = new int[l.size()];
        d[0] = 1;
        for (int i = 1; i < d.length; i++) {
            if (!(l.get(i) instanceof Number n) || n.intValue() < 0) throw new IllegalArgumentException("Model.load: bad input shape " + o);
            d[i] = n.intValue();
        }
        return Shape.of(d);
    }

    private static int index(Object o, int size) {
        if (!(o instanceof Number n) || n.intValue() < 0 || n.intValue() >= size) {
            throw new IllegalArgumentException("Model.load: node reference " + o + " is not among the " + size + " nodes before it");
        }
        return n.intValue();
    }

    private static String str(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof String s)) throw new IllegalArgumentException("Model.load: expected a string '" + key + "' in " + m.keySet());
        return s;
    }

    private static Map<String, Object> map(Map<String, Object> m, String key) {
        return asMap(m.get(key), key);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o, String what) {
        if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("Model.load: expected an object for '" + what + "', got " + o);
        return (Map<String, Object>) m;
    }

    private static List<?> list(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof List<?> l)) throw new IllegalArgumentException("Model.load: expected a list '" + key + "'");
        return l;
    }
}
