package dev.javelin.onnx;

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
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The ONNX nodes (and runs of nodes) that {@link ModelConversion} turns into Javelin layers of the
 * same meaning, the file's weights copied in:
 * <ul>
 * <li>Conv (2-D, constant weights, explicit pads): Permute to channels-last, ZeroPadding2D, Conv2D, Permute back;
 * <li>Gemm (constant B, alpha = beta = 1, transA = 0), and MatMul by a constant matrix followed by the
 *     Add of a bias vector (a Linear layer as {@code torch.onnx.export} writes it over [B, T, K]): Dense;
 * <li>BatchNormalization (inference), LayerNormalization (last axis), and LayerNorm decomposed as
 *     {@code ReduceMean -> Sub -> Pow 2 -> ReduceMean -> Add eps -> Sqrt -> Div [-> Mul gamma] [-> Add beta]}
 *     over the last axis: their layers;
 * <li>Relu, Sigmoid, Tanh, Softmax and LogSoftmax (last axis), Gelu (exact), and GELU decomposed with
 *     Erf: Activation; Flatten (axis 1); Add of two same-shaped values.
 * </ul>
 * A mapping that does not fit (other attributes, a weight computed from the inputs) declines, and
 * the node becomes an {@link OnnxOpLayer}.
 */
final class LayerMapping {
    private LayerMapping() {}

    /** Maps {@code node} (and the nodes it takes in) onto layers, defining their outputs; false when it does not fit. */
    static boolean map(ModelConversion c, OnnxNode node) {
        try {
            return mapOrDecline(c, node);
        } catch (Decline e) {
            return false;
        }
    }

    /** An attribute of another kind than ONNX defines: the node's own operator will say so, as an {@link OnnxOpLayer}. */
    private static final class Decline extends RuntimeException {
        Decline() {
            super(null, null, false, false);
        }
    }

    private static boolean mapOrDecline(ModelConversion c, OnnxNode node) {
        List<String> in = node.inputs();
        Tensor x = in.isEmpty() ? null : c.value(in.get(0));
        if (x == null) return false;
        String out = node.outputs().get(0);
        Tensor y = switch (node.opType()) {
            case "Conv" -> conv(c, node, x);
            case "Gemm" -> gemm(c, node, x);
            case "MatMul" -> matMul(c, node, x);
            case "BatchNormalization" -> batchNorm(c, node, x);
            case "LayerNormalization" -> layerNorm(c, node, x);
            case "ReduceMean" -> decomposedLayerNorm(c, node, x);
            case "Relu", "Sigmoid", "Tanh" -> new Activation(node.opType().toLowerCase(Locale.ROOT), c.layerName(node)).apply(x);
            case "Softmax" -> lastAxis(node, x) ? new Activation("softmax", c.layerName(node)).apply(x) : null;
            case "LogSoftmax" -> lastAxis(node, x) ? new Activation("log_softmax", c.layerName(node)).apply(x) : null;
            case "Gelu" -> attrString(node, "approximate", "none").equals("none") ? new Activation("gelu", c.layerName(node)).apply(x) : null;
            case "Div", "Mul" -> erfGelu(c, node, x);
            case "Flatten" -> attrInt(node, "axis", 1) == 1 ? new Flatten(c.layerName(node)).apply(x) : null;
            case "Add" -> in.size() == 2 && c.value(in.get(1)) != null && x.shape().equals(c.value(in.get(1)).shape())
                    ? new Add(c.layerName(node)).apply(x, c.value(in.get(1))) : null;
            default -> null;
        };
        if (y == null) return false;
        c.define(out, y); // for a run (MatMul + Add), the first node's value is read only inside the run: never again
        return true;
    }

    private static Tensor conv(ModelConversion c, OnnxNode node, Tensor x) {
        Tensor w = constant(c, node, 1);
        Tensor b = constant(c, node, 2);
        boolean hasBias = present(node, 2);
        if (w == null || w.rank() != 4 || x.rank() != 4 || (hasBias && b == null)) return null;
        if (x.dim(1) != w.dim(1) * attrInt(node, "group", 1)) return null; // channels that do not fit: the operator says so
        if (!"NOTSET".equals(attrString(node, "auto_pad", "NOTSET"))) return null;
        long[] strides = attrInts(node, "strides", new long[] {1, 1}), dil = attrInts(node, "dilations", new long[] {1, 1});
        long[] pads = attrInts(node, "pads", new long[] {0, 0, 0, 0});
        int group = (int) attrInt(node, "group", 1);
        if ((strides[0] > 1 || strides[1] > 1) && (dil[0] > 1 || dil[1] > 1)) return null; // Conv2D refuses both, as Keras
        String name = c.layerName(node);
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

    private static Tensor gemm(ModelConversion c, OnnxNode node, Tensor a) {
        Tensor b = constant(c, node, 1);
        Tensor bias = constant(c, node, 2);
        if (b == null || a.rank() != 2 || b.rank() != 2 || (present(node, 2) && bias == null) || attrInt(node, "transA", 0) != 0
                || attrFloat(node, "alpha", 1) != 1 || attrFloat(node, "beta", 1) != 1) return null;
        Tensor kernel = attrInt(node, "transB", 0) != 0 ? b.mT().contiguous() : b;
        if (bias != null && bias.size() != kernel.dim(1)) return null; // a bias broadcast over rows too: not a Dense
        return dense(c, node, a, kernel, bias);
    }

    /** MatMul by a constant matrix; with the Add of a bias vector that alone reads it, one Dense with a bias. */
    private static Tensor matMul(ModelConversion c, OnnxNode node, Tensor a) {
        Tensor b = constant(c, node, 1);
        if (b == null || b.rank() != 2 || a.rank() < 2 || !b.dtype().isFloating()) return null;
        OnnxNode add = c.soleReader(node.outputs().get(0));
        if (add != null && add.opType().equals("Add") && add.inputs().size() == 2) {
            String other = add.inputs().get(add.inputs().get(0).equals(node.outputs().get(0)) ? 1 : 0);
            Tensor bias = c.constants.get(other);
            if (bias != null && bias.rank() == 1 && bias.dim(0) == b.dim(1) && bias.dtype() == b.dtype()) {
                Tensor y = dense(c, node, a, b, bias);
                c.absorbed.add(add);
                c.define(add.outputs().get(0), y);
                return y;
            }
        }
        return dense(c, node, a, b, null);
    }

    /** A Dense of {@code kernel}; null (declined) when the input's last axis, as seen at conversion, is not the kernel's rows. */
    private static Tensor dense(ModelConversion c, OnnxNode node, Tensor x, Tensor kernel, Tensor bias) {
        if (x.dim(-1) != kernel.dim(0)) return null; // e.g. a Flatten of a free size: the node's own layer computes it per call
        Dense d = new Dense(kernel.dim(1), null, bias != null, new GlorotUniform(), new Zeros(), null, null, c.layerName(node));
        Tensor y = d.apply(x);
        d.kernel().assign(kernel);
        if (bias != null) d.bias().assign(bias.reshape(kernel.dim(1)));
        return y;
    }

    private static Tensor batchNorm(ModelConversion c, OnnxNode node, Tensor x) {
        if ((x.rank() != 4 && x.rank() != 2) || attrInt(node, "training_mode", 0) != 0) return null;
        Tensor[] p = new Tensor[4];
        for (int i = 0; i < 4; i++) if ((p[i] = constant(c, node, i + 1)) == null || p[i].size() != x.dim(1)) return null;
        String name = c.layerName(node);
        BatchNormalization bn = new BatchNormalization(attrFloat(node, "momentum", 0.9f), attrFloat(node, "epsilon", 1e-5f), true, true, name);
        Tensor t = x.rank() == 4 ? new Permute(new int[] {2, 3, 1}, name + "_to_nhwc").apply(x) : x;
        t = bn.apply(t);
        List<Variable> w = bn.weights(); // gamma, beta, moving mean, moving variance
        for (int i = 0; i < 4; i++) w.get(i).assign(p[i].reshape(p[i].size() == 0 ? 0 : (int) p[i].size()));
        return x.rank() == 4 ? new Permute(new int[] {3, 1, 2}, name + "_to_nchw").apply(t) : t;
    }

    private static Tensor layerNorm(ModelConversion c, OnnxNode node, Tensor x) {
        Tensor scale = constant(c, node, 1);
        Tensor bias = constant(c, node, 2);
        long axis = attrInt(node, "axis", -1);
        if (scale == null || (present(node, 2) && bias == null) || (axis != -1 && axis != x.rank() - 1)) return null;
        return layerNormalization(c, c.layerName(node), x, attrFloat(node, "epsilon", 1e-5f), scale, bias);
    }

    private static Tensor layerNormalization(ModelConversion c, String name, Tensor x, double epsilon, Tensor gamma, Tensor beta) {
        int features = x.dim(-1);
        if ((gamma != null && gamma.size() != features) || (beta != null && beta.size() != features) || !(epsilon > 0)) return null;
        LayerNormalization ln = new LayerNormalization(epsilon, beta != null, gamma != null, name);
        Tensor y = ln.apply(x);
        int w = 0;
        if (gamma != null) ln.weights().get(w++).assign(gamma.reshape(features).cast(DType.FLOAT32));
        if (beta != null) ln.weights().get(w).assign(beta.reshape(features).cast(DType.FLOAT32));
        return y;
    }

    /**
     * LayerNorm as {@code torch.onnx.export} writes it below opset 17, starting at its first ReduceMean:
     * {@code d = x - mean(x); d / sqrt(mean(d^2) + eps) [* gamma] [+ beta]} over the last axis, every
     * intermediate read only inside the run.
     */
    private static Tensor decomposedLayerNorm(ModelConversion c, OnnxNode mean, Tensor x) {
        if (x.dtype() != DType.FLOAT32 || !reducesLastAxis(c, mean, x.rank())) return null;
        OnnxNode sub = next(c, mean, "Sub");
        if (sub == null || !sub.inputs().equals(List.of(mean.inputs().get(0), out(mean)))) return null;
        List<OnnxNode> dReaders = c.internalReaders(out(sub));
        if (dReaders == null || dReaders.size() != 2) return null;
        OnnxNode pow = dReaders.get(0).opType().equals("Pow") ? dReaders.get(0) : dReaders.get(1);
        OnnxNode div = pow == dReaders.get(0) ? dReaders.get(1) : dReaders.get(0);
        if (!pow.opType().equals("Pow") || !pow.inputs().get(0).equals(out(sub)) || scalar(c, pow.inputs().get(1)) != 2) return null;
        OnnxNode var = next(c, pow, "ReduceMean");
        if (var == null || !reducesLastAxis(c, var, x.rank())) return null;
        OnnxNode addEps = next(c, var, "Add");
        if (addEps == null) return null;
        double eps = scalar(c, addEps.inputs().get(addEps.inputs().get(0).equals(out(var)) ? 1 : 0));
        OnnxNode sqrt = next(c, addEps, "Sqrt");
        if (sqrt == null || next(c, sqrt, "Div") != div || !div.inputs().equals(List.of(out(sub), out(sqrt)))) return null;
        List<OnnxNode> run = new ArrayList<>(List.of(sub, pow, var, addEps, sqrt, div));
        OnnxNode last = div;
        Tensor gamma = null, beta = null;
        OnnxNode mul = next(c, last, "Mul");
        if (mul != null && (gamma = otherConstant(c, mul, out(last))) != null) {
            run.add(mul);
            last = mul;
        }
        OnnxNode add = next(c, last, "Add");
        if (add != null && (beta = otherConstant(c, add, out(last))) != null) {
            run.add(add);
            last = add;
        }
        Tensor y = layerNormalization(c, c.runName(mean, "layernorm"), x, eps, gamma, beta);
        if (y == null) return null;
        c.absorbed.addAll(run);
        c.define(out(last), y);
        return y;
    }

    /**
     * GELU as {@code torch.onnx.export} writes it below opset 20, starting at its first node:
     * {@code x / sqrt(2)} (or {@code x * (1 / sqrt(2))}) {@code -> Erf -> Add 1 -> Mul x -> Mul 0.5}.
     */
    private static Tensor erfGelu(ModelConversion c, OnnxNode first, Tensor x) {
        if (first.inputs().size() != 2 || !x.dtype().isFloating()) return null;
        double k = scalar(c, first.inputs().get(1));
        boolean scales = first.opType().equals("Div") ? Math.abs(k - Math.sqrt(2)) < 1e-6 : Math.abs(k - Math.sqrt(0.5)) < 1e-6;
        OnnxNode erf = scales ? next(c, first, "Erf") : null;
        OnnxNode plusOne = erf == null ? null : next(c, erf, "Add");
        if (plusOne == null || scalar(c, otherInput(plusOne, out(erf))) != 1) return null;
        OnnxNode timesX = next(c, plusOne, "Mul");
        if (timesX == null || !otherInput(timesX, out(plusOne)).equals(first.inputs().get(0))) return null;
        OnnxNode half = next(c, timesX, "Mul");
        if (half == null || scalar(c, otherInput(half, out(timesX))) != 0.5) return null;
        Tensor y = new Activation("gelu", c.runName(first, "gelu")).apply(x);
        c.absorbed.addAll(List.of(erf, plusOne, timesX, half));
        c.define(out(half), y);
        return y;
    }

    /** The input of a binary {@code node} besides {@code value} ("" when the node is not binary). */
    private static String otherInput(OnnxNode node, String value) {
        if (node.inputs().size() != 2) return "";
        return node.inputs().get(node.inputs().get(0).equals(value) ? 1 : 0);
    }

    /** The node of type {@code opType} that alone reads {@code node}'s output, or null. */
    private static OnnxNode next(ModelConversion c, OnnxNode node, String opType) {
        OnnxNode r = c.soleReader(out(node));
        return r != null && r.opType().equals(opType) ? r : null;
    }

    private static String out(OnnxNode node) {
        return node.outputs().get(0);
    }

    /** The constant that {@code node} (a binary op) combines with {@code value}, or null. */
    private static Tensor otherConstant(ModelConversion c, OnnxNode node, String value) {
        if (node.inputs().size() != 2) return null;
        return c.constants.get(node.inputs().get(node.inputs().get(0).equals(value) ? 1 : 0));
    }

    /** A one-element constant's value, or NaN when {@code name} is not one. */
    private static double scalar(ModelConversion c, String name) {
        Tensor t = c.constants.get(name);
        return t == null || t.size() != 1 || !t.dtype().isFloating() ? Double.NaN : t.toDoubleArray()[0];
    }

    /** A ReduceMean over the last axis alone, keeping it (axes from the attribute or a constant input). */
    private static boolean reducesLastAxis(ModelConversion c, OnnxNode node, int rank) {
        if (attrInt(node, "keepdims", 1) != 1) return false;
        long[] axes = attrInts(node, "axes", null);
        if (axes == null && node.inputs().size() > 1 && c.constants.get(node.inputs().get(1)) != null) {
            axes = c.constants.get(node.inputs().get(1)).toLongArray();
        }
        return axes != null && axes.length == 1 && (axes[0] == -1 || axes[0] == rank - 1);
    }

    private static boolean lastAxis(OnnxNode node, Tensor x) {
        long axis = attrInt(node, "axis", -1);
        return axis == -1 || axis == x.rank() - 1;
    }

    private static boolean present(OnnxNode node, int i) {
        return node.inputs().size() > i && !node.inputs().get(i).isEmpty();
    }

    /** Input {@code i} when it is a constant, else null (also when absent). */
    private static Tensor constant(ModelConversion c, OnnxNode node, int i) {
        return present(node, i) ? c.constants.get(node.inputs().get(i)) : null;
    }

    private static long attrInt(OnnxNode node, String name, long dflt) {
        OnnxAttribute a = node.attributes().get(name);
        if (a != null && a.kind() != OnnxAttribute.Kind.INT) throw new Decline();
        return a == null ? dflt : a.i();
    }

    private static float attrFloat(OnnxNode node, String name, float dflt) {
        OnnxAttribute a = node.attributes().get(name);
        if (a != null && a.kind() != OnnxAttribute.Kind.FLOAT) throw new Decline();
        return a == null ? dflt : a.f();
    }

    private static long[] attrInts(OnnxNode node, String name, long[] dflt) {
        OnnxAttribute a = node.attributes().get(name);
        if (a != null && a.kind() != OnnxAttribute.Kind.INTS) throw new Decline();
        return a == null ? dflt : a.ints();
    }

    private static String attrString(OnnxNode node, String name, String dflt) {
        OnnxAttribute a = node.attributes().get(name);
        if (a != null && a.kind() != OnnxAttribute.Kind.STRING) throw new Decline();
        return a == null ? dflt : a.s();
    }
}
