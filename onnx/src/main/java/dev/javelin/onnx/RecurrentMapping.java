package dev.javelin.onnx;

import dev.javelin.highlevel.layers.Bidirectional;
import dev.javelin.highlevel.layers.GRU;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.highlevel.layers.RecurrentLayer;
import dev.javelin.highlevel.layers.RecurrentOptions;
import dev.javelin.highlevel.layers.SimpleRNN;
import dev.javelin.onnx.RecurrentOperators.Kind;
import dev.javelin.onnx.RecurrentOperators.Spec;
import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ONNX's LSTM, GRU and RNN nodes as the Keras-like {@link LSTM}, {@link GRU} and {@link SimpleRNN}
 * layers ({@link Bidirectional} around a pair for {@code direction = bidirectional}), the file's
 * weights copied in (ONNX's gate order and split biases to Keras's), for {@link ModelConversion}.
 *
 * <p>The Keras layers read and write batch-first {@code [B, T, features]}; {@code torch.onnx.export}
 * writes the sequence-first node between a {@code Transpose} (for {@code batch_first=True}) and the
 * nodes that take {@code Y [T, dirs, B, H]} back to {@code [T, B, dirs*H]} ({@code Squeeze} of axis 1,
 * or {@code Transpose 0,2,1,3 -> Reshape [0, 0, -1]}) and to batch-first ({@code Transpose}). Those
 * nodes are taken in; where the file holds other nodes, a small {@link OnnxOpLayer} of Transpose,
 * Reshape, Gather, Slice and Concat nodes written here converts between the layouts. {@code Y_h}
 * comes from the layer's last steps (or its final state when Y is unused).
 *
 * <p>Declined (the node becomes an {@link OnnxOpLayer} running the fused operator): weights computed
 * from the inputs, {@code sequence_lens}, non-zero initial states, a used {@code Y_c} (Keras's layers
 * give c only through {@code return_state}), and Y of a lone reverse direction (Keras's
 * {@code go_backwards} gives it in processing order).
 */
final class RecurrentMapping {
    private RecurrentMapping() {}

    /** Maps an LSTM, GRU or RNN node whose outputs {@code used} are read; false when it does not fit. */
    static boolean map(ModelConversion c, OnnxNode node, List<String> used) {
        Kind kind = switch (node.opType()) {
            case "LSTM" -> Kind.LSTM;
            case "GRU" -> Kind.GRU;
            case "RNN" -> Kind.RNN;
            default -> null;
        };
        if (kind == null) return false;
        Spec spec;
        try {
            spec = RecurrentOperators.spec(new NodeContext(node, c.opset(), new Tensor[0]), kind);
        } catch (IllegalArgumentException e) {
            return false; // the operator, as an OnnxOpLayer, says what is wrong
        }
        List<String> in = node.inputs(), out = node.outputs();
        boolean wantY = used.contains(out.get(0));
        String yh = out.size() > 1 && used.contains(out.get(1)) ? out.get(1) : null;
        if (out.size() > 2 && used.contains(out.get(2))) return false;
        if (present(in, 4) || present(in, 7)) return false;
        for (int s = 5; s < 5 + kind.states; s++) if (present(in, s) && !c.isZeros(in.get(s))) return false;
        if (spec.directions() == 1 && spec.reverseOnly() && wantY) return false;
        Tensor w = c.constants.get(in.get(1)), r = c.constants.get(in.get(2)), b = present(in, 3) ? c.constants.get(in.get(3)) : null;
        Tensor x = c.value(in.get(0));
        if (x == null || x.rank() != 3 || w == null || r == null || (present(in, 3) && b == null)) return false;
        int h = spec.hidden(), dirs = spec.directions(), width = kind.gates * h;
        if (!w.shape().equals(Shape.of(dirs, width, w.dim(-1))) || !r.shape().equals(Shape.of(dirs, width, h))
                || (b != null && !b.shape().equals(Shape.of(dirs, 2 * width))) || x.dim(2) != w.dim(2)) return false;
        String name = c.layerName(node);
        Tensor xb = spec.batchFirst() ? x : c.batchFirst(in.get(0), name);
        Tensor seq; // [B, T, dirs*H], or [B, dirs*H] without Y
        if (dirs == 2) {
            RecurrentLayer f = layer(kind, spec, 0, "forward_" + name, wantY), back = layer(kind, spec, 1, "backward_" + name, wantY);
            seq = new Bidirectional(f, "concat", back, name).apply(xb);
            assign(kind, spec, f, w, r, b, 0);
            assign(kind, spec, back, w, r, b, 1);
        } else {
            RecurrentLayer l = layer(kind, spec, 0, name, wantY);
            seq = l.apply(xb);
            assign(kind, spec, l, w, r, b, 0);
        }
        if (wantY) defineY(c, node, spec, seq, name);
        if (yh != null) c.define(yh, wantY ? lastStates(c, spec, seq, name) : finalStates(c, spec, seq, name));
        return true;
    }

    private static RecurrentLayer layer(Kind kind, Spec spec, int d, String name, boolean sequences) {
        Activation[] a = spec.activations().get(d); // the gates', the cell's
        RecurrentOptions o = RecurrentOptions.defaults().activation(a[1].name().toLowerCase(Locale.ROOT))
                .recurrentActivation(a[0].name().toLowerCase(Locale.ROOT)).returnSequences(sequences).goBackwards(spec.reverse(d));
        return switch (kind) {
            case LSTM -> new LSTM(spec.hidden(), o, false, name);
            case GRU -> new GRU(spec.hidden(), o, spec.linearBeforeReset(), name);
            case RNN -> new SimpleRNN(spec.hidden(), o, name);
        };
    }

    /**
     * Direction {@code d}'s weights into the built layer: {@code kernel [in, G*H]} and
     * {@code recurrent_kernel [H, G*H]} in Keras's gate order; the bias is ONNX's two summed, or for GRU
     * with {@code linear_before_reset} (Keras's {@code reset_after}) the rows [input bias; recurrent bias].
     */
    private static void assign(Kind kind, Spec spec, RecurrentLayer l, Tensor w, Tensor r, Tensor b, int d) {
        RecurrentOperators.Weights laid = RecurrentOperators.weights(spec, d, w, r, b);
        List<Variable> v = l.weights(); // kernel, recurrent_kernel, bias
        v.get(0).assign(laid.kernel().contiguous());
        v.get(1).assign(laid.recurrentKernel().contiguous());
        Tensor inputBias = laid.inputBias() != null ? laid.inputBias() : Tensors.zeros(kind.gates * spec.hidden());
        v.get(2).assign(laid.recurrentBias() != null ? ArrayOps.stack(List.of(inputBias, laid.recurrentBias()), 0).contiguous()
                : inputBias.contiguous());
    }

    /**
     * Defines Y, or the values the export makes from it: {@code [T, B, dirs*H]} (its nodes taken in),
     * and the batch-first {@code [B, T, dirs*H]} after it when a Transpose makes it (taken in too).
     */
    private static void defineY(ModelConversion c, OnnxNode node, Spec spec, Tensor seq, String name) {
        String y = node.outputs().get(0);
        int dirs = spec.directions(), h = spec.hidden();
        if (spec.batchFirst()) { // Y [B, T, dirs, H]
            c.define(y, c.synthesized(name + "_y", List.of(reshape("seq", "y", "shape")), List.of("seq"), List.of(seq),
                    Map.of("shape", Tensors.of(new long[] {0, 0, dirs, h})), "y"));
            return;
        }
        List<OnnxNode> run = new ArrayList<>();
        String merged = null;
        OnnxNode first = c.soleReader(y);
        if (dirs == 1 && first != null && first.opType().equals("Squeeze") && Arrays.equals(axes(c, first), new long[] {1})) {
            run.add(first);
            merged = first.outputs().get(0);
        } else if (dirs == 2 && first != null && first.opType().equals("Transpose") && Arrays.equals(perm(first), new long[] {0, 2, 1, 3})) {
            OnnxNode rs = c.soleReader(first.outputs().get(0));
            Tensor shape = rs != null && rs.opType().equals("Reshape") && rs.inputs().size() == 2 ? c.constants.get(rs.inputs().get(1)) : null;
            long[] s = shape == null || shape.dtype().isFloating() ? null : shape.toLongArray();
            OnnxAttribute allowZero = rs == null ? null : rs.attributes().get("allowzero");
            boolean zeroCopies = allowZero == null || allowZero.kind() == OnnxAttribute.Kind.INT && allowZero.i() == 0;
            if (s != null && zeroCopies && s.length == 3 && s[0] == 0 && s[1] == 0 && (s[2] == -1 || s[2] == (long) dirs * h)) {
                run.add(first);
                run.add(rs);
                merged = rs.outputs().get(0);
            }
        }
        if (merged == null) { // Y [T, dirs, B, H] from [B, T, dirs*H]
            c.define(y, c.synthesized(name + "_y", List.of(reshape("seq", "r", "shape"), transpose("r", "y", 1, 2, 0, 3)), List.of("seq"),
                    List.of(seq), Map.of("shape", Tensors.of(new long[] {0, 0, dirs, h})), "y"));
            return;
        }
        c.absorbed.addAll(run);
        c.recordBatchFirst(merged, seq);
        OnnxNode back = c.soleReader(merged);
        if (back != null && back.opType().equals("Transpose") && Arrays.equals(perm(back), new long[] {1, 0, 2})) {
            c.absorbed.add(back);
            c.define(back.outputs().get(0), seq);
        } else {
            c.define(merged, c.transposed(seq, name + "_time_major"));
        }
    }

    /** Y_h from the sequence [B, T, dirs*H]: the forward direction's last step, the backward one's first. */
    private static Tensor lastStates(ModelConversion c, Spec spec, Tensor seq, String name) {
        int dirs = spec.directions(), h = spec.hidden();
        List<OnnxNode> nodes = new ArrayList<>(List.of(reshape("seq", "r", "shape"), gather("r", "minus_one", "last")));
        String result = "last"; // [B, dirs, H]
        if (dirs == 2) {
            nodes.add(gather("r", "zero", "first"));
            nodes.add(node("Slice", List.of("last", "zero1", "one1", "one1"), "forward", Map.of()));
            nodes.add(node("Slice", List.of("first", "one1", "two1", "one1"), "backward", Map.of()));
            nodes.add(node("Concat", List.of("forward", "backward"), "both", Map.of("axis", OnnxAttribute.ofInt("axis", 1))));
            result = "both";
        }
        if (!spec.batchFirst()) {
            nodes.add(transpose(result, "states", 1, 0, 2));
            result = "states";
        }
        Map<String, Tensor> numbers = Map.of("shape", Tensors.of(new long[] {0, 0, dirs, h}), "minus_one", Tensors.scalar(-1, DType.INT64),
                "zero", Tensors.scalar(0, DType.INT64), "zero1", Tensors.of(new long[] {0}), "one1", Tensors.of(new long[] {1}),
                "two1", Tensors.of(new long[] {2}));
        return c.synthesized(name + "_y_h", nodes, List.of("seq"), List.of(seq), numbers, result);
    }

    /** Y_h from the layer's final states [B, dirs*H] (Bidirectional's forward then backward). */
    private static Tensor finalStates(ModelConversion c, Spec spec, Tensor last, String name) {
        List<OnnxNode> nodes = new ArrayList<>(List.of(reshape("last", "r", "shape")));
        if (!spec.batchFirst()) nodes.add(transpose("r", "states", 1, 0, 2));
        return c.synthesized(name + "_y_h", nodes, List.of("last"), List.of(last),
                Map.of("shape", Tensors.of(new long[] {0, spec.directions(), spec.hidden()})), spec.batchFirst() ? "r" : "states");
    }

    static OnnxNode transpose(String in, String out, long... perm) {
        return node("Transpose", List.of(in), out, Map.of("perm", OnnxAttribute.ofInts("perm", perm)));
    }

    private static OnnxNode reshape(String in, String out, String shape) {
        return node("Reshape", List.of(in, shape), out, Map.of());
    }

    private static OnnxNode gather(String in, String index, String out) {
        return node("Gather", List.of(in, index), out, Map.of("axis", OnnxAttribute.ofInt("axis", 1)));
    }

    private static OnnxNode node(String op, List<String> in, String out, Map<String, OnnxAttribute> attrs) {
        return new OnnxNode(op + "_" + out, op, in, List.of(out), attrs);
    }

    private static long[] perm(OnnxNode transpose) {
        OnnxAttribute p = transpose.attributes().get("perm");
        return p == null || p.kind() != OnnxAttribute.Kind.INTS ? null : p.ints();
    }

    /** A Squeeze's axes, from its constant input (opset 13) or attribute; null when neither. */
    private static long[] axes(ModelConversion c, OnnxNode squeeze) {
        if (squeeze.inputs().size() > 1) {
            Tensor a = c.constants.get(squeeze.inputs().get(1));
            return a == null || a.dtype().isFloating() ? null : a.toLongArray();
        }
        OnnxAttribute a = squeeze.attributes().get("axes");
        return a == null || a.kind() != OnnxAttribute.Kind.INTS ? null : a.ints();
    }

    private static boolean present(List<String> in, int i) {
        return in.size() > i && !in.get(i).isEmpty();
    }
}
