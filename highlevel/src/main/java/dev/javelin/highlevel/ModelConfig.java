package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.ConfigMap;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.KerasTensors;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.Node;
import dev.javelin.highlevel.saving.Shortened;
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
                nodes.add(node(KerasTensors.nodeOf(t).layer().name(), List.of()));
            }
            for (Node n : g.nodes) {
                List<Object> in = new ArrayList<>();
                for (Tensor t : n.inputs()) in.add(ids.get(t));
                ids.put(n.output(), nodes.size());
                nodes.add(node(n.layer().name(), in));
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

    /** A node's entry, keys in a fixed order so that the same model always saves to the same bytes. */
    static Map<String, Object> node(String layer, List<Object> inputs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer", layer);
        m.put("inputs", inputs);
        return m;
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
    // Every map read here is a ConfigMap and every value goes through Config's strict getters, so an
    // unknown key, a wrong JSON type or an out-of-range number is an error; each level adds where it
    // is (layers[2], nodes[5]) to the message.

    static Model from(Map<String, Object> entry) {
        ConfigMap e = ConfigMap.of(entry);
        String cls = Config.requiredString(e, "class_name");
        ConfigMap config = Config.requiredMap(e, "config");
        KerasFormat.readEnvelope(e);
        e.requireAllRead();
        int[][] buildShapes = buildShapes(config);
        Model model = switch (cls) {
            case "Sequential" -> sequential(config);
            // Keras 3 writes the graph as each layer's inbound_nodes, Javelin as numbered nodes
            case "Functional" -> functional(config.unread().contains("input_layers") ? ConfigMap.of(KerasFormat.functional(config)) : config);
            default -> {
                Map<String, Object> own = new LinkedHashMap<>(config);
                own.remove(BUILD_SHAPES); // read above; the model's own factory sees its own keys only
                Layer l = LayerRegistry.create(cls, own);
                if (!(l instanceof Model m)) {
                    throw new IllegalArgumentException("'" + Shortened.of(cls) + "' is registered as a layer, not a model");
                }
                yield m;
            }
        };
        if (!model.isBuilt() && buildShapes != null) {
            List<Shape> shapes = new ArrayList<>();
            for (int[] sample : buildShapes) shapes.add(batchOf(sample));
            model.ensureBuilt(shapes);
        }
        return model;
    }

    /** A sample shape with a batch axis of 1 in front. */
    private static Shape batchOf(int[] sample) {
        int[] d = new int[sample.length + 1];
        d[0] = 1;
        System.arraycopy(sample, 0, d, 1, sample.length);
        return Shape.of(d);
    }

    private static final String BUILD_SHAPES = "build_input_shapes";

    private static int[][] buildShapes(ConfigMap config) {
        if (config.get(BUILD_SHAPES) == null) return null;
        List<?> list = Config.requiredList(config, BUILD_SHAPES);
        int[][] out = new int[list.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Config.batchShape(list.get(i), BUILD_SHAPES + "[" + i + "]");
            InputLayer.checkSampleShape(out[i]);
        }
        return out;
    }

    private static Model sequential(ConfigMap config) {
        String name = Config.string(config, "name", null);
        boolean trainable = Config.bool(config, "trainable", true);
        KerasFormat.dtypePolicy(config);
        List<?> entries = Config.requiredList(config, "layers");
        Object kerasBuildShape = config.get("build_input_shape"); // Keras 3's: its InputLayer's batch shape
        config.requireAllRead();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            final int at = i;
            layers.add(at("layers[" + i + "]", () -> layer(entries.get(at))));
        }
        Sequential model = new Sequential(layers, name);
        if (kerasBuildShape != null && (layers.isEmpty() || !(layers.get(0) instanceof InputLayer))) {
            int[] sample = Config.batchShape(kerasBuildShape, "build_input_shape");
            InputLayer.checkSampleShape(sample);
            model.ensureBuilt(List.of(batchOf(sample)));
        }
        if (!trainable) model.setTrainable(false);
        return model;
    }

    private static Model functional(ConfigMap config) {
        String name = Config.string(config, "name", null);
        boolean trainable = Config.bool(config, "trainable", true);
        List<?> layerEntries = Config.requiredList(config, "layers");
        List<?> nodes = Config.requiredList(config, "nodes");
        List<?> inputRefs = Config.requiredList(config, "inputs");
        List<?> outputRefs = Config.requiredList(config, "outputs");
        config.requireAllRead();
        Map<String, Layer> byName = new LinkedHashMap<>();
        for (int i = 0; i < layerEntries.size(); i++) {
            final int at = i;
            Layer l = at("layers[" + i + "]", () -> layer(layerEntries.get(at)));
            if (byName.put(l.name(), l) != null) throw new IllegalArgumentException("two layers named '" + Shortened.of(l.name()) + "'");
        }
        List<Tensor> tensors = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            final int at = i;
            tensors.add(at("nodes[" + i + "]", () -> {
                ConfigMap node = Config.object(nodes.get(at), "nodes[" + at + "]");
                String layerName = Config.requiredString(node, "layer");
                List<?> inputs = Config.requiredList(node, "inputs");
                node.requireAllRead();
                Layer l = byName.get(layerName);
                if (l == null) throw new IllegalArgumentException("the node names the unknown layer '" + Shortened.of(layerName) + "'");
                List<Tensor> in = new ArrayList<>();
                for (Object idx : inputs) in.add(tensors.get(index(idx, tensors.size())));
                return l instanceof InputLayer input ? input.output() : l.apply(in, false);
            }));
        }
        List<Tensor> inputs = new ArrayList<>();
        for (Object idx : inputRefs) inputs.add(tensors.get(index(idx, tensors.size())));
        List<Tensor> outputs = new ArrayList<>();
        for (Object idx : outputRefs) outputs.add(tensors.get(index(idx, tensors.size())));
        Model model = new Model(inputs, outputs, name);
        if (!trainable) model.setTrainable(false);
        return model;
    }

    private static Layer layer(Object entryValue) {
        ConfigMap entry = Config.object(entryValue, "layer entry");
        String cls = Config.requiredString(entry, "class_name");
        if (cls.equals("Sequential") || cls.equals("Functional")) return from(entry);
        ConfigMap config = Config.requiredMap(entry, "config");
        KerasFormat.readEnvelope(entry);
        entry.requireAllRead();
        return LayerRegistry.create(cls, config);
    }

    /** Runs {@code read}, prefixing where it was to the message of what it throws. */
    static <T> T at(String where, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static int index(Object o, int size) {
        if (!(o instanceof Long n) || n < 0 || n >= size) {
            throw new IllegalArgumentException("node reference " + Shortened.of(o) + " is not among the " + size + " nodes before it");
        }
        return (int) (long) n;
    }
}
