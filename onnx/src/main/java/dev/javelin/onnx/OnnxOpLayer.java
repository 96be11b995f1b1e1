package dev.javelin.onnx;

import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX node that has no Javelin layer of its own (MaxPool, Reshape, Gather, a MatMul of two
 * activations, ...) as a layer of the functional model {@link OnnxModel#toModel()} builds, together
 * with the shape arithmetic it reads: a Reshape whose target is {@code Shape(x) -> Gather -> Concat}
 * holds those nodes too, with {@code x} as one of its inputs, so the target is computed from the
 * shapes the layer is called with (a new batch size gives a new target). It runs the same operator
 * code as {@link OnnxModel}, through the same evaluator, so shape arithmetic folds to constants while
 * a train step is traced.
 *
 * <p>The nodes' constant inputs stay with the layer: the file's float initializers that the nodes
 * compute with (not read as numbers, like Resize's scales) are trainable weights, so {@code fit}
 * tunes them; other constants are kept in the config (small or integral ones) or as non-trainable
 * weights. The layer saves and loads with the model ({@link OnnxModel#registerLayers()}).
 *
 * <pre>{@code
 * Model m = OnnxModel.load(path).toModel();   // a MaxPool node becomes an OnnxOpLayer named after it
 * m.save(file);
 * OnnxModel.registerLayers();                 // before Model.load in a fresh JVM
 * Model again = Model.load(file);
 * }</pre>
 */
public final class OnnxOpLayer extends Layer {
    /** Float constants with more elements than this become weights instead of config values. */
    static final int CONFIG_CONSTANT_LIMIT = 64;

    private final long opset;
    /** The nodes in execution order; the one that makes {@link #output} is the layer's operator. */
    private final List<OnnxNode> nodes;
    /** The value names the layer's inputs feed, in call order. */
    private final List<String> inputs;
    /** The constants the nodes read, by value name. */
    private final Map<String, Slot> constants;
    private final String output;
    private final Map<String, Variable> weights = new HashMap<>();

    /** How a constant is held: in the config, as a non-trainable weight, or as a trainable weight (a parameter). */
    record Slot(Kind kind, Tensor value, Shape shape, DType dtype) {
        enum Kind { CONSTANT, WEIGHT, PARAMETER }
    }

    OnnxOpLayer(String name, long opset, List<OnnxNode> nodes, List<String> inputs, Map<String, Slot> constants, String output) {
        super(name);
        this.opset = opset;
        this.nodes = List.copyOf(nodes);
        this.inputs = List.copyOf(inputs);
        this.constants = new LinkedHashMap<>(constants);
        this.output = output;
        check();
    }

    /** Refuses a layer whose nodes are not supported or read values nobody makes (a config edited by hand). */
    private void check() {
        if (nodes.isEmpty() || inputs.isEmpty()) throw new IllegalArgumentException("OnnxOpLayer '" + name() + "': needs nodes and inputs");
        Set<String> known = new HashSet<>(inputs);
        known.addAll(constants.keySet());
        for (OnnxNode n : nodes) {
            if (Operators.find(n.opType()) == null) {
                throw new IllegalArgumentException("OnnxOpLayer '" + name() + "': unsupported ONNX operator " + n.opType() + " in "
                        + n.describe() + "; supported: " + Operators.supported());
            }
            for (String in : n.inputs()) {
                if (!in.isEmpty() && !known.contains(in)) {
                    throw new IllegalArgumentException("OnnxOpLayer '" + name() + "': " + n.describe() + " reads '" + in
                            + "', which is neither an input, a constant nor made by an earlier node");
                }
            }
            known.addAll(n.outputs());
        }
        if (!known.contains(output)) throw new IllegalArgumentException("OnnxOpLayer '" + name() + "': no node makes the output '" + output + "'");
    }

    /** The ONNX operator type of the node whose output this layer returns. */
    public String opType() {
        for (OnnxNode n : nodes) if (n.outputs().contains(output)) return n.opType();
        throw new IllegalStateException("unreachable: checked at construction");
    }

    @Override
    public void build(List<Shape> inputShapes) {
        Set<String> used = new HashSet<>();
        for (Map.Entry<String, Slot> e : constants.entrySet()) {
            Slot s = e.getValue();
            if (s.kind == Slot.Kind.CONSTANT) continue;
            String base = e.getKey().replaceAll("[^A-Za-z0-9_.]+", "_"), weightName = base;
            for (int i = 1; !used.add(weightName); i++) weightName = base + "_" + i;
            weights.put(e.getKey(), addWeight(weightName, s.shape, s.dtype, new Zeros(), null, s.kind == Slot.Kind.PARAMETER));
        }
    }

    @Override
    public void build(Shape inputShape) {
        build(List.of(inputShape));
    }

    /** Sets the weight-held constants to the values the layer was made with (after building). */
    void assignConstants() {
        for (Map.Entry<String, Variable> e : weights.entrySet()) e.getValue().assign(constants.get(e.getKey()).value);
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        return call(List.of(inputs), training);
    }

    @Override
    public Tensor call(List<Tensor> values, boolean training) {
        if (values.size() != inputs.size()) {
            throw new IllegalArgumentException("OnnxOpLayer '" + name() + "' (" + opType() + "): expected " + inputs.size() + " inputs "
                    + inputs + ", got " + values.size());
        }
        Map<String, Tensor> known = new HashMap<>();
        constants.forEach((k, s) -> known.put(k, s.kind == Slot.Kind.CONSTANT ? s.value : weights.get(k).value()));
        return evaluate(opset, nodes, inputs, known, output, values.toArray(Tensor[]::new), null);
    }

    /**
     * Runs {@code nodes} on {@code values} (for {@code inputs}) and {@code constants}, returning {@code output}, as
     * {@link OnnxModel} runs a graph; {@code observer} (or null) sees each node's context after it ran.
     */
    static Tensor evaluate(long opset, List<OnnxNode> nodes, List<String> inputs, Map<String, Tensor> constants, String output,
                           Tensor[] values, java.util.function.Consumer<NodeContext> observer) {
        List<ValueInfo> in = new ArrayList<>();
        for (String n : inputs) in.add(new ValueInfo(n, null, null, null));
        OnnxGraph g = new OnnxGraph(opset, in, List.of(new ValueInfo(output, null, null, null)), constants, nodes);
        return new GraphEvaluator(FusedGraph.unfused(g), observer, false).run(values)[0];
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("op_type", opType());
        c.put("opset", opset);
        List<Object> ns = new ArrayList<>();
        for (OnnxNode n : nodes) ns.add(OnnxConfig.node(n));
        c.put("nodes", ns);
        c.put("inputs", List.copyOf(inputs));
        Map<String, Object> cs = new LinkedHashMap<>();
        constants.forEach((k, s) -> cs.put(k, OnnxConfig.slot(s)));
        c.put("constants", cs);
        c.put("output", output);
        return c;
    }

    public static OnnxOpLayer fromConfig(Map<String, Object> c) {
        String name = Config.string(c, "name", null);
        long opset = Config.integerIn(c, "opset", 17, 1, 1000);
        if (!(c.get("nodes") instanceof List<?> ns) || !(c.get("inputs") instanceof List<?> ins) || !(c.get("constants") instanceof Map<?, ?> cs)) {
            throw new IllegalArgumentException("OnnxOpLayer '" + name + "': config needs 'nodes' and 'inputs' lists and a 'constants' map");
        }
        List<OnnxNode> nodes = new ArrayList<>();
        for (Object o : ns) nodes.add(OnnxConfig.node(name, o));
        List<String> inputs = ins.stream().map(String::valueOf).toList();
        Map<String, Slot> constants = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : cs.entrySet()) constants.put(String.valueOf(e.getKey()), OnnxConfig.slot(name, e.getValue()));
        OnnxOpLayer layer = new OnnxOpLayer(name, opset, nodes, inputs, constants, Config.requiredString(c, "output"));
        String opType = Config.string(c, "op_type", layer.opType());
        if (!opType.equals(layer.opType())) {
            throw new IllegalArgumentException("OnnxOpLayer '" + name + "': config says op_type " + opType + " but its output is made by "
                    + layer.opType());
        }
        return layer;
    }

    /**
     * How a constant is held: a parameter (trainable weight) when {@code parameter}; else in the config
     * when integral, small, or read as numbers (which a traced variable could not give); else a weight.
     */
    static Slot constant(Tensor value, boolean parameter, boolean readAsNumbers) {
        Slot.Kind kind = parameter ? Slot.Kind.PARAMETER
                : !value.dtype().isFloating() || value.size() <= CONFIG_CONSTANT_LIMIT || readAsNumbers ? Slot.Kind.CONSTANT : Slot.Kind.WEIGHT;
        return new Slot(kind, value, value.shape(), value.dtype());
    }
}
