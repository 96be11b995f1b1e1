package dev.javelin.onnx;

import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX node that has no Javelin layer of its own (MaxPool, Pad, GlobalAveragePool, Reshape, ...)
 * as a layer of the functional model {@link OnnxModel#toModel()} builds: it runs the same operator
 * code as {@link OnnxModel}, with the node's attributes. The node's constant inputs are kept with the
 * layer: small ones (shapes, pads, scalars) in its config, larger float ones as non-trainable weights,
 * so the layer saves and loads with the model ({@link OnnxModel#registerLayers()}).
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

    private final String opType;
    private final long opset;
    private final Map<String, OnnxAttribute> attributes;
    /** Per node input: {@code INPUT} (the next layer input), {@code OMITTED}, or a constant. */
    private final List<Slot> slots;
    private final List<Variable> constantWeights = new ArrayList<>();

    /** How one node input is fed: from the layer's inputs, left out, a config constant, or a weight. */
    record Slot(Kind kind, Tensor value, Shape shape, DType dtype) {
        enum Kind { INPUT, OMITTED, CONSTANT, WEIGHT }
    }

    OnnxOpLayer(String name, String opType, long opset, Map<String, OnnxAttribute> attributes, List<Slot> slots) {
        super(name);
        this.opType = opType;
        this.opset = opset;
        this.attributes = Map.copyOf(attributes);
        this.slots = List.copyOf(slots);
        if (Operators.find(opType) == null) {
            throw new IllegalArgumentException("OnnxOpLayer '" + name() + "': unsupported ONNX operator " + opType + "; supported: "
                    + Operators.supported());
        }
    }

    /** The ONNX operator type this layer runs. */
    public String opType() {
        return opType;
    }

    @Override
    public void build(List<Shape> inputShapes) {
        int w = 0;
        for (Slot s : slots) {
            if (s.kind == Slot.Kind.WEIGHT) constantWeights.add(addWeight("constant_" + w++, s.shape, s.dtype, new Zeros(), null, false));
        }
    }

    @Override
    public void build(Shape inputShape) {
        build(List.of(inputShape));
    }

    /** Sets the weight-held constants (after building), in slot order. */
    void assignConstants() {
        int w = 0;
        for (Slot s : slots) if (s.kind == Slot.Kind.WEIGHT && s.value != null) constantWeights.get(w++).assign(s.value);
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        return call(List.of(inputs), training);
    }

    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        Tensor[] in = new Tensor[slots.size()];
        List<String> names = new ArrayList<>();
        int next = 0, w = 0;
        for (int i = 0; i < in.length; i++) {
            Slot s = slots.get(i);
            in[i] = switch (s.kind) {
                case INPUT -> inputs.get(next++);
                case OMITTED -> null;
                case CONSTANT -> s.value;
                case WEIGHT -> constantWeights.get(w++).value();
            };
            names.add(s.kind == Slot.Kind.OMITTED ? "" : "in" + i);
        }
        OnnxNode node = new OnnxNode(name(), opType, names, List.of("out"), attributes);
        NodeContext ctx = new NodeContext(node, opset, in);
        try {
            return Operators.find(opType).apply(ctx)[0];
        } catch (NodeError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NodeError(ctx.prefix() + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("op_type", opType);
        c.put("opset", opset);
        Map<String, Object> attrs = new LinkedHashMap<>();
        attributes.forEach((k, a) -> attrs.put(k, OnnxConfig.attribute(a)));
        c.put("attributes", attrs);
        List<Object> inputs = new ArrayList<>();
        for (Slot s : slots) inputs.add(OnnxConfig.slot(s));
        c.put("inputs", inputs);
        return c;
    }

    public static OnnxOpLayer fromConfig(Map<String, Object> c) {
        String name = Config.string(c, "name", null);
        String opType = Config.requiredString(c, "op_type");
        long opset = Config.integerIn(c, "opset", 17, 1, 1000);
        Map<String, OnnxAttribute> attrs = new LinkedHashMap<>();
        if (c.get("attributes") instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) attrs.put(String.valueOf(e.getKey()), OnnxConfig.attribute(String.valueOf(e.getKey()), e.getValue()));
        }
        List<Slot> slots = new ArrayList<>();
        if (!(c.get("inputs") instanceof List<?> list)) throw new IllegalArgumentException("OnnxOpLayer '" + name + "': config has no 'inputs' list");
        for (Object o : list) slots.add(OnnxConfig.slot(name, o));
        return new OnnxOpLayer(name, opType, opset, attrs, slots);
    }

    /** A constant input: in the config when small or integral, else a weight. */
    static Slot constant(Tensor value) {
        boolean inConfig = !value.dtype().isFloating() || value.size() <= CONFIG_CONSTANT_LIMIT;
        return new Slot(inConfig ? Slot.Kind.CONSTANT : Slot.Kind.WEIGHT, value, value.shape(), value.dtype());
    }

    static Tensor tensor(DType dtype, Shape shape, double[] values) {
        return Tensors.of(values, shape.toArray()).cast(dtype);
    }
}
