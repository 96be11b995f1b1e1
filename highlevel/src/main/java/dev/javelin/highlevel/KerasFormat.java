package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.ConfigMap;
import dev.javelin.highlevel.saving.Shortened;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Keras 3 writes around and inside a config that Javelin's own configs do not have, read
 * strictly so that a Keras 3 {@code get_config()} / {@code model.to_json()} loads as it is (its
 * structure: keras/src/saving/serialization_lib.py and each layer's {@code get_config}):
 * <ul>
 * <li>the envelope of every serialized object: {@code module}, {@code registered_name},
 *     {@code build_config} (the shapes a layer was built for; here a layer builds when the model
 *     does) and a model's {@code compile_config} (read as an object and not applied: compile the
 *     loaded model yourself, as after Keras's {@code model_from_json});</li>
 * <li>in a layer's config: {@code dtype}, a string or a {@code DTypePolicy}, which must say float32
 *     (the layers here keep float32 weights), and Keras options this version lacks, accepted at the one
 *     value that means what Javelin does ({@code data_format} channels_last, {@code rms_scaling} false,
 *     ...); options written as null are absent ({@link ConfigMap#unread});</li>
 * <li>a functional model's graph as Keras 3 writes it: each layer with its {@code inbound_nodes}
 *     ({@code {"args": [...], "kwargs": {}}} holding {@code __keras_tensor__} references
 *     {@code [layer, node, tensor]}) and {@code input_layers}/{@code output_layers}, rewritten into
 *     Javelin's numbered nodes.</li>
 * </ul>
 */
final class KerasFormat {
    private KerasFormat() {}

    /** Keras options with no counterpart here, each with the one value that computes as Javelin does. */
    private static final Map<String, Object> ONLY_VALUE = Map.of("data_format", "channels_last", "rms_scaling", false,
            "zero_output_for_mask", false, "sparse", false, "ragged", false, "optional", false);

    private static final Set<String> POLICIES = Set.of("DTypePolicy", "FloatDTypePolicy");

    /** Reads a layer's or model's envelope keys (module, registered_name, build_config, compile_config). */
    static void readEnvelope(ConfigMap entry) {
        Config.kerasEnvelope(entry);
        if (entry.get("build_config") != null) Config.requiredMap(entry, "build_config");
        if (entry.get("compile_config") != null) Config.requiredMap(entry, "compile_config");
    }

    /**
     * After a layer's factory has read its config: checks the Keras keys it left ({@code dtype} and
     * the options of {@link #ONLY_VALUE}), so that they count as read when they say what Javelin does.
     */
    static void readKerasOnlyKeys(ConfigMap c) {
        List<String> left = c.unread();
        if (left.contains("dtype")) dtypePolicy(c);
        for (String key : left) {
            Object only = ONLY_VALUE.get(key);
            if (only != null && !only.equals(c.get(key))) {
                throw new IllegalArgumentException("config key '" + key + "' is " + shown(c.get(key)) + ", expected " + shown(only)
                        + " (Keras's other settings of it are not supported here)");
            }
        }
    }

    /** A config's {@code dtype}: absent, "float32", or a DTypePolicy (FloatDTypePolicy) named float32. */
    static void dtypePolicy(ConfigMap c) {
        Object v = c.get("dtype");
        if (v == null) return;
        String name;
        if (v instanceof Map<?, ?>) {
            ConfigMap policy = Config.requiredMap(c, "dtype");
            String cls = Config.requiredString(policy, "class_name");
            ConfigMap config = Config.requiredMap(policy, "config");
            name = Config.requiredString(config, "name");
            Config.kerasEnvelope(policy);
            policy.requireAllRead();
            config.requireAllRead();
            if (!POLICIES.contains(cls)) throw badDtype(cls);
        } else {
            name = Config.string(c, "dtype", null);
        }
        if (!name.equals("float32")) throw badDtype(name);
    }

    private static IllegalArgumentException badDtype(String what) {
        return new IllegalArgumentException("config key 'dtype' is " + shown(what)
                + ", expected \"float32\" or a DTypePolicy named float32 (the layers here keep float32 weights)");
    }

    private static String shown(Object v) {
        return v instanceof String s ? "\"" + Shortened.of(s) + "\"" : Shortened.of(v);
    }

    // ---- a functional model's graph ------------------------------------------------------------

    /** One {@code keras_history}: output {@code tensor} of call {@code node} of {@code layer}. */
    private record Ref(String layer, int node, int tensor) {
        @Override
        public String toString() {
            return "['" + Shortened.of(layer) + "', " + node + ", " + tensor + "]";
        }
    }

    /** A layer of the graph: its name, where Keras numbers its calls from, and each call's inputs. */
    private record GraphLayer(String name, boolean input, int firstNode, List<List<Ref>> calls) {}

    /**
     * A Keras 3 functional config ({@code name, trainable, layers} with {@code inbound_nodes},
     * {@code input_layers, output_layers}) as Javelin's ({@code name, trainable, layers, nodes,
     * inputs, outputs}), checking every reference.
     */
    static Map<String, Object> functional(ConfigMap config) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", Config.string(config, "name", null));
        out.put("trainable", config.get("trainable"));
        List<?> layers = Config.requiredList(config, "layers");
        Object inputRefs = config.get("input_layers"), outputRefs = config.get("output_layers");
        config.requireAllRead();
        List<Object> entries = new ArrayList<>();
        List<GraphLayer> graph = new ArrayList<>();
        Map<String, GraphLayer> byName = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            final int at = i;
            String where = "layers[" + i + "]";
            GraphLayer g = ModelConfig.at(where, () -> graphLayer(Config.object(layers.get(at), where), entries));
            if (byName.put(g.name(), g) != null) throw new IllegalArgumentException(where + ": two layers named '" + Shortened.of(g.name()) + "'");
            graph.add(g);
        }
        out.put("layers", entries);
        List<Object> nodes = new ArrayList<>();
        Map<String, List<Long>> produced = new HashMap<>();
        for (GraphLayer g : graph) {
            for (List<Ref> call : g.calls()) for (Ref r : call) check(r, byName, g.name());
            if (g.input()) {
                produced.put(g.name(), new ArrayList<>(List.of((long) nodes.size())));
                nodes.add(ModelConfig.node(g.name(), List.of()));
            } else {
                produced.put(g.name(), new ArrayList<>());
            }
        }
        // Keras lists layers from the earliest on, but a shared layer's later call can read layers
        // listed after it: emit each call once everything it reads exists, as Keras's from_config does.
        int[] done = new int[graph.size()];
        for (boolean progress = true; progress; ) {
            progress = false;
            for (int l = 0; l < graph.size(); l++) {
                GraphLayer g = graph.get(l);
                while (!g.input() && done[l] < g.calls().size()) {
                    List<Object> in = new ArrayList<>();
                    for (Ref r : g.calls().get(done[l])) {
                        Long id = lookup(r, byName, produced);
                        if (id == null) break;
                        in.add(id);
                    }
                    if (in.size() < g.calls().get(done[l]).size()) break;
                    produced.get(g.name()).add((long) nodes.size());
                    nodes.add(ModelConfig.node(g.name(), in));
                    done[l]++;
                    progress = true;
                }
            }
        }
        for (int l = 0; l < graph.size(); l++) {
            GraphLayer g = graph.get(l);
            if (!g.input() && done[l] < g.calls().size()) {
                throw new IllegalArgumentException("layers[" + l + "] '" + Shortened.of(g.name()) + "': its call " + done[l]
                        + " reads " + g.calls().get(done[l]) + ", which no call of the graph produces");
            }
        }
        out.put("nodes", nodes);
        out.put("inputs", ids("input_layers", inputRefs, byName, produced));
        out.put("outputs", ids("output_layers", outputRefs, byName, produced));
        return out;
    }

    private static GraphLayer graphLayer(ConfigMap entry, List<Object> entries) {
        String name = Config.requiredString(entry, "name");
        String cls = Config.requiredString(entry, "class_name");
        List<?> inbound = Config.requiredList(entry, "inbound_nodes");
        ConfigMap config = Config.requiredMap(entry, "config");
        if (config.get("name") != null && !name.equals(config.get("name"))) {
            throw new IllegalArgumentException("the entry is named '" + Shortened.of(name) + "' and its config '" + Shortened.of(config.get("name")) + "'");
        }
        Map<String, Object> javelin = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : entry.entrySet()) {
            if (!e.getKey().equals("name") && !e.getKey().equals("inbound_nodes")) javelin.put(e.getKey(), e.getValue());
        }
        entries.add(javelin); // its other keys are read as any layer entry's
        boolean input = cls.equals("InputLayer");
        if (input && !inbound.isEmpty()) throw new IllegalArgumentException("the InputLayer '" + Shortened.of(name) + "' has inbound nodes");
        List<List<Ref>> calls = new ArrayList<>();
        for (int k = 0; k < inbound.size(); k++) {
            final int call = k;
            calls.add(ModelConfig.at("inbound_nodes[" + k + "]", () -> call(name, Config.object(inbound.get(call), "inbound_nodes[" + call + "]"))));
        }
        // a nested functional model's call 0 is the graph it was built as; Keras numbers its outer calls from 1
        return new GraphLayer(name, input, cls.equals("Functional") ? 1 : 0, calls);
    }

    /** One call ({@code {"args": [...], "kwargs": {...}}}): the tensors it reads, in order. */
    private static List<Ref> call(String layer, ConfigMap node) {
        List<?> args = Config.requiredList(node, "args");
        ConfigMap kwargs = node.get("kwargs") == null ? ConfigMap.of(Map.of()) : Config.requiredMap(node, "kwargs");
        node.requireAllRead();
        for (Map.Entry<String, Object> e : kwargs.entrySet()) {
            if (e.getValue() != null) {
                throw new IllegalArgumentException("'" + Shortened.of(layer) + "' is called with the keyword argument '" + Shortened.of(e.getKey())
                        + "' = " + shown(e.getValue()) + "; a call here takes its input tensors only");
            }
        }
        List<Ref> refs = new ArrayList<>();
        for (Object a : args) {
            if (a instanceof List<?> list) for (Object t : list) refs.add(tensor(layer, t));
            else refs.add(tensor(layer, a));
        }
        return refs;
    }

    private static Ref tensor(String layer, Object value) {
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("'" + Shortened.of(layer) + "' is called with " + shown(value)
                    + " among its arguments; a call here takes tensors only ({\"class_name\": \"__keras_tensor__\", ...})");
        }
        ConfigMap t = Config.object(value, "args");
        String cls = Config.requiredString(t, "class_name");
        if (!cls.equals("__keras_tensor__")) throw new IllegalArgumentException("'" + Shortened.of(layer) + "' is called with a " + shown(cls) + ", expected a __keras_tensor__");
        ConfigMap c = Config.requiredMap(t, "config");
        t.requireAllRead();
        List<?> history = Config.requiredList(c, "keras_history");
        c.get("shape"); // the tensor's shape and dtype follow from the graph
        Config.string(c, "dtype", null);
        c.requireAllRead();
        if (history.size() != 3 || !(history.get(0) instanceof String from)) {
            throw new IllegalArgumentException("keras_history " + Shortened.of(history) + ", expected [layer name, node index, tensor index]");
        }
        return new Ref(from, Config.intValue(history.get(1), "keras_history", 0, Integer.MAX_VALUE),
                Config.intValue(history.get(2), "keras_history", 0, Integer.MAX_VALUE));
    }

    private static void check(Ref r, Map<String, GraphLayer> byName, String reader) {
        GraphLayer from = byName.get(r.layer());
        String who = "'" + Shortened.of(reader) + "' reads " + r;
        if (from == null) throw new IllegalArgumentException(who + ", the output of the unknown layer '" + Shortened.of(r.layer()) + "'");
        int calls = from.input() ? 1 : from.calls().size();
        if (r.node() < from.firstNode() || r.node() >= from.firstNode() + calls) {
            throw new IllegalArgumentException(who + ", but '" + Shortened.of(r.layer()) + "' has calls " + from.firstNode() + " to "
                    + (from.firstNode() + calls - 1));
        }
        if (r.tensor() != 0) {
            throw new IllegalArgumentException(who + ": output " + r.tensor() + " of '" + Shortened.of(r.layer())
                    + "', but a layer or nested model here has one output");
        }
    }

    /** The node id of {@code r}, or null while the call it names is not yet emitted. */
    private static Long lookup(Ref r, Map<String, GraphLayer> byName, Map<String, List<Long>> produced) {
        List<Long> ids = produced.get(r.layer());
        int index = r.node() - byName.get(r.layer()).firstNode();
        return index < ids.size() ? ids.get(index) : null;
    }

    /** {@code input_layers}/{@code output_layers}: one reference, or a list of them, as node ids. */
    private static List<Object> ids(String key, Object refs, Map<String, GraphLayer> byName, Map<String, List<Long>> produced) {
        if (!(refs instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException("config key '" + key + "' is " + shown(refs) + ", expected [layer, node, tensor] or a list of them");
        }
        List<?> each = list.get(0) instanceof String ? List.of(list) : list;
        List<Object> out = new ArrayList<>();
        for (Object o : each) {
            Ref r = ModelConfig.at(key, () -> tensor(key, Map.of("class_name", "__keras_tensor__", "config", Map.of("keras_history", o))));
            ModelConfig.at(key, () -> {
                check(r, byName, key);
                return null;
            });
            out.add(lookup(r, byName, produced));
        }
        return out;
    }
}
