package dev.javelin.onnx;

import dev.javelin.highlevel.Input;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.layers.Activation;
import dev.javelin.highlevel.layers.Add;
import dev.javelin.highlevel.layers.BatchNormalization;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.layers.LayerNormalization;
import dev.javelin.highlevel.layers.Permute;
import dev.javelin.highlevel.layers.ZeroPadding2D;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.EagerEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph as a functional Keras-like {@link Model} ({@link OnnxModel#toModel()}): Conv becomes
 * Conv2D (between Permute layers, Javelin's convolution being channels-last, and after a ZeroPadding2D
 * for explicit pads), Gemm and MatMul by a constant matrix Dense, BatchNormalization and
 * LayerNormalization their layers, Relu/Sigmoid/Tanh/Softmax(last axis) Activation, Flatten Flatten,
 * Add of two values Add; the weights are copied in. Any other node becomes an {@link OnnxOpLayer}.
 * Nodes whose inputs are all constants run now (folded). The result trains with {@code fit} and
 * saves like any model.
 */
final class ModelConversion {
    private final OnnxGraph graph;
    private final String source;
    private final Map<String, Tensor> constants = new HashMap<>();
    private final Map<String, Tensor> values = new HashMap<>();
    private int nodeIndex = -1;

    private ModelConversion(OnnxGraph graph, String source) {
        this.graph = graph;
        this.source = source;
        constants.putAll(graph.initializers());
    }

    static Model convert(OnnxGraph graph, String source) {
        return new ModelConversion(graph, source).build();
    }

    private Model build() {
        List<Tensor> inputs = new ArrayList<>();
        for (ValueInfo in : graph.inputs()) {
            int[] dims = in.dims();
            if (dims.length == 0) throw new IllegalArgumentException(source + ": toModel needs inputs with a batch axis, '" + in.name() + "' is a scalar");
            int[] sample = java.util.Arrays.copyOfRange(dims, 1, dims.length);
            for (int d : sample) {
                if (d < 0) throw new IllegalArgumentException(source + ": toModel needs fixed sizes after the batch axis; input " + in + " has a symbolic one");
            }
            Tensor t = Input.of(sample, in.dtype(), in.name());
            inputs.add(t);
            values.put(in.name(), t);
        }
        for (OnnxNode node : graph.nodes()) {
            nodeIndex++;
            convert(node);
        }
        List<Tensor> outputs = new ArrayList<>();
        for (ValueInfo out : graph.outputs()) {
            Tensor t = values.get(out.name());
            if (t == null) throw new IllegalArgumentException(source + ": output '" + out.name() + "' is a constant; toModel needs outputs computed from the inputs");
            outputs.add(t);
        }
        return new Model(inputs, outputs, "onnx_model");
    }

    private void convert(OnnxNode node) {
        List<String> in = node.inputs();
        boolean allConstant = true;
        for (String name : in) allConstant &= name.isEmpty() || constants.containsKey(name);
        if (allConstant) { // folded now: Constant nodes, shape arithmetic on constants
            Tensor[] args = new Tensor[in.size()];
            for (int i = 0; i < args.length; i++) args[i] = in.get(i).isEmpty() ? null : constants.get(in.get(i));
            Tensor[] out;
            try (Dispatch.Scope s = Dispatch.use(EagerEngine.INSTANCE)) {
                out = Operators.find(node.opType()).apply(new NodeContext(node, graph.opset(), args));
            }
            for (int o = 0; o < node.outputs().size() && o < out.length; o++) constants.put(node.outputs().get(o), out[o]);
            return;
        }
        long used = node.outputs().stream().filter(s -> !s.isEmpty()).count();
        if (used > 1) throw new IllegalArgumentException(source + ": toModel: " + node.describe() + " has " + used
                + " outputs; only single-output nodes map onto layers");
        Tensor y = switch (node.opType()) {
            case "Conv" -> conv(node);
            case "Gemm" -> gemm(node);
            case "MatMul" -> matMul(node);
            case "BatchNormalization" -> batchNorm(node);
            case "LayerNormalization" -> layerNorm(node);
            case "Relu", "Sigmoid", "Tanh" -> value(in.get(0)) == null ? null
                    : new Activation(node.opType().toLowerCase(java.util.Locale.ROOT), layerName(node)).apply(value(in.get(0)));
            case "Softmax" -> softmax(node);
            case "Flatten" -> attrInt(node, "axis", 1) == 1 && value(in.get(0)) != null ? new Flatten(layerName(node)).apply(value(in.get(0))) : null;
            case "Add" -> in.size() == 2 && value(in.get(0)) != null && value(in.get(1)) != null
                    && value(in.get(0)).shape().equals(value(in.get(1)).shape())
                    ? new Add(layerName(node)).apply(value(in.get(0)), value(in.get(1))) : null;
            default -> null;
        };
        if (y == null) y = generic(node);
        values.put(node.outputs().get(0), y);
    }

    /** A computed value (a Keras tensor), or null when the name is a constant. */
    private Tensor value(String name) {
        return values.get(name);
    }

    private Tensor conv(OnnxNode node) {
        Tensor x = value(node.inputs().get(0));
        Tensor w = constants.get(node.inputs().get(1));
        Tensor b = node.inputs().size() > 2 && !node.inputs().get(2).isEmpty() ? constants.get(node.inputs().get(2)) : null;
        boolean hasBias = node.inputs().size() > 2 && !node.inputs().get(2).isEmpty();
        if (x == null || w == null || w.rank() != 4 || x.rank() != 4 || (hasBias && b == null)) return null;
        if (!"NOTSET".equals(attrString(node, "auto_pad", "NOTSET"))) return null;
        long[] strides = attrInts(node, "strides", new long[] {1, 1}), dil = attrInts(node, "dilations", new long[] {1, 1});
        long[] pads = attrInts(node, "pads", new long[] {0, 0, 0, 0});
        int group = (int) attrInt(node, "group", 1);
        if ((strides[0] > 1 || strides[1] > 1) && (dil[0] > 1 || dil[1] > 1)) return null; // Conv2D refuses both, as Keras
        String name = layerName(node);
        Tensor t = new Permute(new int[] {2, 3, 1}, name + "_to_nhwc").apply(x);
        if (pads[0] != 0 || pads[1] != 0 || pads[2] != 0 || pads[3] != 0) {
            t = new ZeroPadding2D(new int[][] {{(int) pads[0], (int) pads[2]}, {(int) pads[1], (int) pads[3]}}, name + "_pad").apply(t);
        }
        Conv2D conv = new Conv2D(w.dim(0), new int[] {w.dim(2), w.dim(3)}, new int[] {(int) strides[0], (int) strides[1]}, "valid",
                new int[] {(int) dil[0], (int) dil[1]}, group, null, b != null, new GlorotUniform(), new Zeros(), null, null, name);
        t = conv.apply(t);
        conv.kernel().assign(w.permute(2, 3, 1, 0).contiguous());
        if (b != null) conv.bias().assign(b);
        return new Permute(new int[] {3, 1, 2}, name + "_to_nchw").apply(t);
    }

    private Tensor gemm(OnnxNode node) {
        Tensor a = value(node.inputs().get(0));
        Tensor b = constants.get(node.inputs().get(1));
        boolean hasC = node.inputs().size() > 2 && !node.inputs().get(2).isEmpty();
        Tensor c = hasC ? constants.get(node.inputs().get(2)) : null;
        if (a == null || b == null || a.rank() != 2 || b.rank() != 2 || (hasC && c == null) || attrInt(node, "transA", 0) != 0
                || attrFloat(node, "alpha", 1) != 1 || attrFloat(node, "beta", 1) != 1) return null;
        Tensor kernel = attrInt(node, "transB", 0) != 0 ? b.mT().contiguous() : b;
        if (c != null && c.size() != kernel.dim(1)) return null; // a bias broadcast over rows too: not a Dense
        return dense(node, a, kernel, c);
    }

    private Tensor matMul(OnnxNode node) {
        Tensor a = value(node.inputs().get(0));
        Tensor b = constants.get(node.inputs().get(1));
        if (a == null || b == null || b.rank() != 2 || a.rank() < 2) return null;
        return dense(node, a, b, null);
    }

    private Tensor dense(OnnxNode node, Tensor x, Tensor kernel, Tensor bias) {
        Dense d = new Dense(kernel.dim(1), null, bias != null, new GlorotUniform(), new Zeros(), null, null, layerName(node));
        Tensor y = d.apply(x);
        d.kernel().assign(kernel);
        if (bias != null) d.bias().assign(bias.reshape(kernel.dim(1)));
        return y;
    }

    private Tensor batchNorm(OnnxNode node) {
        Tensor x = value(node.inputs().get(0));
        if (x == null || (x.rank() != 4 && x.rank() != 2) || attrInt(node, "training_mode", 0) != 0) return null;
        Tensor[] p = new Tensor[4];
        for (int i = 0; i < 4; i++) if ((p[i] = constants.get(node.inputs().get(i + 1))) == null) return null;
        String name = layerName(node);
        BatchNormalization bn = new BatchNormalization(attrFloat(node, "momentum", 0.9f), attrFloat(node, "epsilon", 1e-5f), true, true, name);
        Tensor t = x.rank() == 4 ? new Permute(new int[] {2, 3, 1}, name + "_to_nhwc").apply(x) : x;
        t = bn.apply(t);
        List<Variable> w = bn.weights(); // gamma, beta, moving mean, moving variance
        for (int i = 0; i < 4; i++) w.get(i).assign(p[i].reshape(p[i].size() == 0 ? 0 : (int) p[i].size()));
        return x.rank() == 4 ? new Permute(new int[] {3, 1, 2}, name + "_to_nchw").apply(t) : t;
    }

    private Tensor layerNorm(OnnxNode node) {
        Tensor x = value(node.inputs().get(0));
        Tensor scale = constants.get(node.inputs().get(1));
        boolean hasBias = node.inputs().size() > 2 && !node.inputs().get(2).isEmpty();
        Tensor bias = hasBias ? constants.get(node.inputs().get(2)) : null;
        long axis = attrInt(node, "axis", -1);
        if (x == null || scale == null || (hasBias && bias == null) || (axis != -1 && axis != x.rank() - 1)) return null;
        LayerNormalization ln = new LayerNormalization(attrFloat(node, "epsilon", 1e-5f), bias != null, true, layerName(node));
        Tensor y = ln.apply(x);
        ln.weights().get(0).assign(scale);
        if (bias != null) ln.weights().get(1).assign(bias);
        return y;
    }

    private Tensor softmax(OnnxNode node) {
        Tensor x = value(node.inputs().get(0));
        long axis = attrInt(node, "axis", -1);
        if (x == null || (axis != -1 && axis != x.rank() - 1)) return null;
        return new Activation("softmax", layerName(node)).apply(x);
    }

    private Tensor generic(OnnxNode node) {
        List<OnnxOpLayer.Slot> slots = new ArrayList<>();
        List<Tensor> args = new ArrayList<>();
        for (String name : node.inputs()) {
            if (name.isEmpty()) {
                slots.add(new OnnxOpLayer.Slot(OnnxOpLayer.Slot.Kind.OMITTED, null, null, null));
            } else if (values.containsKey(name)) {
                slots.add(new OnnxOpLayer.Slot(OnnxOpLayer.Slot.Kind.INPUT, null, null, null));
                args.add(values.get(name));
            } else {
                slots.add(OnnxOpLayer.constant(constants.get(name)));
            }
        }
        OnnxOpLayer layer = new OnnxOpLayer(layerName(node), node.opType(), graph.opset(), node.attributes(), slots);
        layer.ensureBuilt(args.stream().map(Tensor::shape).toList());
        layer.assignConstants();
        return layer.apply(args, false);
    }

    /** A unique layer name from the node's: "/c1/Conv" (node 0) becomes "onnx0_c1_conv". */
    private String layerName(OnnxNode node) {
        String n = node.name().replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return "onnx" + nodeIndex + "_" + (n.isEmpty() || n.startsWith("#") ? node.opType() : n).toLowerCase(java.util.Locale.ROOT);
    }

    private static long attrInt(OnnxNode node, String name, long dflt) {
        OnnxAttribute a = node.attributes().get(name);
        return a == null ? dflt : a.i();
    }

    private static float attrFloat(OnnxNode node, String name, float dflt) {
        OnnxAttribute a = node.attributes().get(name);
        return a == null ? dflt : a.f();
    }

    private static long[] attrInts(OnnxNode node, String name, long[] dflt) {
        OnnxAttribute a = node.attributes().get(name);
        return a == null ? dflt : a.ints();
    }

    private static String attrString(OnnxNode node, String name, String dflt) {
        OnnxAttribute a = node.attributes().get(name);
        return a == null ? dflt : a.s();
    }
}
