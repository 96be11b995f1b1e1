package dev.javelin.onnx;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.layers.MultiHeadAttention;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Arrays;
import java.util.List;

/**
 * Self-attention as {@code torch.onnx.export} writes PyTorch's {@code nn.MultiheadAttention}
 * (no mask), mapped onto one {@link MultiHeadAttention} layer for {@link ModelConversion}. The block,
 * walked back from its last node (a sequence-first module has neither outer Transpose):
 *
 * <pre>
 *   x ─ Transpose 1,0,2 ─ MatMul W_in ─ Add b_in ─┬─ Slice [0, E)   ─ Reshape ─ Transpose 1,0,2 ─ [Div|Mul s₁] ─┐
 *                                                 ├─ Slice [E, 2E)  ─ Reshape ─ Transpose 1,2,0 ─────────────── MatMul ─ [Mul|Div s₂] ─ Softmax ─┐
 *                                                 └─ Slice [2E, 3E) ─ Reshape ─ Transpose 1,0,2 ──────────────────────────────────────────── MatMul
 *   ─ Transpose 1,0,2 ─ Reshape ─ Gemm W_out, b_out (or MatMul + Add) ─ Reshape ─ Transpose 1,0,2 ─ y
 * </pre>
 *
 * each value read only by the next node (and by {@code Shape} nodes, which compute the Reshapes'
 * targets). The heads come from the query Reshape's target (evaluated at the conversion's shapes),
 * and the scales must give {@code 1/sqrt(head size)}, the layer's. The block's last node is defined
 * as the layer's output; its other nodes still convert, but no output reads their layers, so the
 * model does not hold them. A block with a mask, or whose parts are read elsewhere, converts node by
 * node as before. An additive mask between the scores and the Softmax maps when it is the causal one
 * ({@code use_causal_mask}), a constant or built from the length, and when it is the key-padding mask PyTorch
 * builds from {@code key_padding_mask} (then {@code not(key_padding_mask)} is the layer's {@code attention_mask}
 * input); any other mask keeps the block node by node.
 */
final class AttentionMapping {
    private AttentionMapping() {}

    /**
     * Maps the block ending at {@code last} onto a MultiHeadAttention, defining its output; false when it
     * does not fit. {@code last} is the Transpose back to batch-first ({@code batch_first=True}) or, for a
     * sequence-first module, the out-projection's Reshape to [T, B, E] (then the layer's output is
     * transposed back to [T, B, E] by a small layer).
     */
    static boolean map(ModelConversion c, OnnxNode last) {
        OnnxNode outReshape;
        if (isTranspose(last, 1, 0, 2)) {
            outReshape = producer(c, last, 0, "Reshape");
        } else if (last.opType().equals("Reshape")) {
            OnnxNode next = c.soleReader(last.outputs().get(0));
            if (next != null && isTranspose(next, 1, 0, 2)) return false; // the Transpose ends the block
            outReshape = last;
        } else {
            return false;
        }
        if (outReshape == null) return false;
        // the output projection: Gemm(h, W, b, transB = 1) or MatMul(h, W) + Add b
        OnnxNode proj = c.producer(outReshape.inputs().get(0));
        Tensor wOut, bOut;
        OnnxNode projIn;
        if (proj != null && proj.opType().equals("Gemm") && only(c, proj, outReshape)) {
            if (attrInt(proj, "transA", 0) != 0 || attrFloat(proj, "alpha", 1) != 1 || attrFloat(proj, "beta", 1) != 1) return false;
            wOut = constant(c, proj, 1);
            bOut = proj.inputs().size() > 2 ? constant(c, proj, 2) : null;
            if (wOut == null || wOut.rank() != 2 || (proj.inputs().size() > 2 && bOut == null)) return false;
            if (attrInt(proj, "transB", 0) != 0) wOut = wOut.mT();
            projIn = producer(c, proj, 0, "Reshape");
        } else if (proj != null && proj.opType().equals("Add") && only(c, proj, outReshape)) {
            bOut = otherConstant(c, proj);
            OnnxNode mm = bOut == null ? null : c.producer(otherValue(c, proj));
            if (mm == null || !mm.opType().equals("MatMul") || !only(c, mm, proj)) return false;
            wOut = constant(c, mm, 1);
            if (wOut == null || wOut.rank() != 2) return false;
            projIn = producer(c, mm, 0, "Reshape");
        } else {
            return false;
        }
        if (projIn == null) return false;
        OnnxNode heads = producer(c, projIn, 0, "Transpose");
        if (heads == null || !isTranspose(heads, 1, 0, 2)) return false;
        OnnxNode attend = producer(c, heads, 0, "MatMul");
        if (attend == null) return false;
        OnnxNode softmax = producer(c, attend, 0, "Softmax");
        OnnxNode vT = producer(c, attend, 1, "Transpose");
        if (softmax == null || vT == null || !isTranspose(vT, 1, 0, 2) || attrInt(softmax, "axis", -1) != -1 && attrInt(softmax, "axis", -1) != 2) {
            return false;
        }
        double scale = 1;
        boolean causal = false;
        String keyPadding = null; // the bool [B, T] input of a key-padding mask (true = hidden, PyTorch's key_padding_mask)
        OnnxNode afterScores = softmax, scores = c.producer(softmax.inputs().get(0));
        if (scores != null && scores.opType().equals("Add") && scores.inputs().size() == 2 && only(c, scores, softmax)) {
            // an additive mask: the causal one maps onto use_causal_mask, a key-padding one onto an attention_mask input, any other
            // keeps the block node by node
            String mask = causalMask(c, scores);
            causal = mask != null;
            for (int i = 0; mask == null && i < 2; i++) {
                if ((keyPadding = keyPaddingMask(c, scores.inputs().get(i))) != null) mask = scores.inputs().get(i);
            }
            if (mask == null) return false;
            afterScores = scores;
            scores = c.producer(scores.inputs().get(scores.inputs().get(0).equals(mask) ? 1 : 0));
        }
        if (scores != null && (scores.opType().equals("Mul") || scores.opType().equals("Div")) && only(c, scores, afterScores)) {
            double s = scalar(otherConstant(c, scores));
            scale *= scores.opType().equals("Mul") ? s : 1 / s;
            afterScores = scores;
            scores = c.producer(otherValue(c, scores));
        }
        if (scores == null || !scores.opType().equals("MatMul") || !only(c, scores, afterScores)) return false;
        OnnxNode q = c.producer(scores.inputs().get(0));
        if (q != null && (q.opType().equals("Mul") || q.opType().equals("Div")) && only(c, q, scores)) {
            double s = scalar(otherConstant(c, q));
            scale *= q.opType().equals("Mul") ? s : 1 / s;
            q = c.producer(otherValue(c, q));
        }
        OnnxNode kT = producer(c, scores, 1, "Transpose");
        if (q == null || !isTranspose(q, 1, 0, 2) || kT == null || !isTranspose(kT, 1, 2, 0) || !Double.isFinite(scale)) return false;
        OnnxNode[] reshapes = {producer(c, q, 0, "Reshape"), producer(c, kT, 0, "Reshape"), producer(c, vT, 0, "Reshape")};
        OnnxNode[] slices = new OnnxNode[3];
        for (int i = 0; i < 3; i++) {
            if (reshapes[i] == null || (slices[i] = producer(c, reshapes[i], 0, "Slice")) == null) return false;
        }
        String packed = slices[0].inputs().get(0);
        OnnxNode inAdd = c.producer(packed);
        if (inAdd == null || !inAdd.opType().equals("Add")) return false;
        Tensor bIn = otherConstant(c, inAdd);
        OnnxNode inMatMul = bIn == null ? null : c.producer(otherValue(c, inAdd));
        if (inMatMul == null || !inMatMul.opType().equals("MatMul") || !only(c, inMatMul, inAdd)) return false;
        Tensor wIn = constant(c, inMatMul, 1);
        Tensor xt = c.value(inMatMul.inputs().get(0));
        if (wIn == null || xt == null || wIn.rank() != 2 || xt.rank() != 3) return false;
        int e = wIn.dim(0);
        if (xt.dim(2) != e || wIn.dim(1) != 3 * e || bIn.size() != 3L * e || wOut.dim(0) != e || wOut.dim(1) != e || (bOut != null && bOut.size() != e)) return false;
        // the three slices of the packed projection, q, k, v in order, and nothing else reads it
        for (int i = 0; i < 3; i++) {
            if (!slices[i].inputs().get(0).equals(packed) || !slicesLastAxis(c, slices[i], i * e, (i + 1) * e, xt.rank())) return false;
        }
        if (!onlyReaders(c, packed, slices)) return false;
        // heads: the query Reshape's target [T, B*H, D] at the conversion's shapes (B = xt's second axis there)
        Tensor target = c.evaluate(reshapes[0].inputs().get(1));
        long[] t = target == null || target.dtype().isFloating() ? null : target.toLongArray();
        if (t != null && t.length == 3 && t[1] == -1 && t[0] > 0 && t[2] > 0) t[1] = (long) xt.dim(0) * xt.dim(1) * e / (t[0] * t[2]); // a freed batch
        if (t == null || t.length != 3 || t[2] < 1 || e % t[2] != 0 || t[1] != (long) xt.dim(1) * (e / t[2])) return false;
        int size = (int) t[2], h = e / size;
        if (Math.abs(scale * Math.sqrt(size) - 1) > 1e-6) return false; // MultiHeadAttention scales by 1/sqrt(head size)
        MultiHeadAttention mha = new MultiHeadAttention(h, size, size, 0.0, true, e, new GlorotUniform(), new Zeros(), null,
                c.runName(inMatMul, "multi_head_attention"), causal);
        Tensor x = c.batchFirst(inMatMul.inputs().get(0), c.runName(inMatMul, "attention"));
        Tensor y;
        if (keyPadding == null) {
            y = mha.apply(x);
        } else { // Keras's attention_mask is true where a key may be seen: not(key_padding_mask), as [B, 1, T]
            String keep = keyPadding + "/keep", keep3 = keyPadding + "/keep_rows", axes = keyPadding + "/axis_1";
            Tensor seen = c.synthesized(c.runName(inMatMul, "key_padding_keep"),
                    List.of(new OnnxNode(keep, "Not", List.of(keyPadding), List.of(keep), java.util.Map.of()),
                            new OnnxNode(keep3, "Unsqueeze", List.of(keep, axes), List.of(keep3), java.util.Map.of())),
                    List.of(keyPadding), List.of(c.value(keyPadding)), java.util.Map.of(axes, dev.javelin.tensor.Tensors.of(new long[] {1})), keep3);
            y = mha.apply(List.of(x, x, x, seen), false);
        }
        List<Variable> w = mha.weights(); // query/kernel, query/bias, key/..., value/..., attention_output/kernel, /bias
        for (int i = 0; i < 3; i++) {
            w.get(2 * i).assign(wIn.narrow(1, i * e, e).contiguous().reshape(e, h, size));
            w.get(2 * i + 1).assign(bIn.reshape(3 * e).narrow(0, i * e, e).contiguous().reshape(h, size));
        }
        w.get(6).assign(wOut.contiguous().reshape(h, size, e));
        w.get(7).assign(bOut == null ? dev.javelin.tensor.Tensors.zeros(e) : bOut.reshape(e));
        c.define(last.outputs().get(0), last == outReshape ? c.transposed(y, c.runName(inMatMul, "attention_time_major")) : y);
        return true;
    }

    /**
     * The input of {@code add} that is the causal mask ({@code triu(-inf, 1)}, as PyTorch's {@code attn_mask}
     * from {@code torch.triu(torch.full((t, t), -inf), 1)} or {@code generate_square_subsequent_mask} makes
     * it): a constant of at least 2 x 2 that is exactly that, or shape arithmetic built as that at any length
     * ({@link #buildsCausalMask}); null when neither is.
     */
    private static String causalMask(ModelConversion c, OnnxNode add) {
        for (String name : add.inputs()) {
            Tensor m = c.evaluate(name);
            if (m == null || !m.dtype().isFloating() || m.rank() < 2) continue;
            if (m.dim(-1) >= 2 ? AttentionFusion.isCausal(m) : buildsCausalMask(c, name, 0)) return name;
        }
        return null;
    }

    /**
     * The bool [B, T] value (true = a padded key) behind {@code value} when {@code value} is the additive
     * key-padding mask PyTorch's {@code F.multi_head_attention_forward} builds from {@code key_padding_mask}:
     * {@code Where(Cast(Reshape(Expand(Reshape(m, [B, 1, 1, T]))), -inf, zeros) [* 1]}; null otherwise.
     */
    private static String keyPaddingMask(ModelConversion c, String value) {
        OnnxNode p = c.producer(value);
        for (int depth = 0; p != null && p.opType().equals("Mul") && depth < 4; depth++) {
            Tensor one = otherConstant(c, p);
            if (one == null || scalar(one) != 1) return null;
            p = c.producer(otherValue(c, p));
        }
        if (p == null || !p.opType().equals("Where") || p.inputs().size() != 3) return null;
        Tensor hidden = c.evaluate(p.inputs().get(1));
        if (hidden == null || hidden.size() != 1 || hidden.toDoubleArray()[0] != Double.NEGATIVE_INFINITY || !c.isZeros(p.inputs().get(2))) {
            return null;
        }
        String v = p.inputs().get(0);
        boolean viewed = false; // the Reshape to [B, 1, 1, T] that marks a key-padding mask
        for (int depth = 0; depth < 8; depth++) {
            Tensor t = c.value(v);
            if (t != null && t.dtype() == dev.javelin.tensor.DType.BOOL && t.rank() == 2) return viewed ? v : null;
            OnnxNode q = c.producer(v);
            if (q == null) return null;
            switch (q.opType()) {
                case "Cast", "Expand" -> { }
                case "Reshape" -> {
                    Tensor out = c.value(v);
                    viewed |= out != null && out.rank() == 4 && out.dim(1) == 1 && out.dim(2) == 1;
                }
                default -> {
                    return null;
                }
            }
            v = q.inputs().get(0);
        }
        return null;
    }

    /**
     * Whether {@code value} is {@code Trilu(upper, k = 1)} of a square {@code ConstantOfShape(-inf)} (its
     * shape the Concat of one length twice), through leading Unsqueezes, Casts and Muls by 1: the causal
     * mask at every length, which a mask evaluated at the placeholder length 1 cannot show.
     */
    private static boolean buildsCausalMask(ModelConversion c, String value, int depth) {
        OnnxNode p = c.producer(value);
        if (p == null || depth > 8) return false;
        switch (p.opType()) {
            case "Cast", "Identity":
                return buildsCausalMask(c, p.inputs().get(0), depth + 1);
            case "Unsqueeze": {
                long[] axes = p.inputs().size() > 1 ? ints(c, p.inputs().get(1)) : p.attributes().containsKey("axes") ? p.attributes().get("axes").ints() : null;
                return axes != null && axes.length == 1 && axes[0] == 0 && buildsCausalMask(c, p.inputs().get(0), depth + 1);
            }
            case "Mul": {
                Tensor one = otherConstant(c, p);
                return one != null && scalar(one) == 1 && buildsCausalMask(c, otherValue(c, p), depth + 1);
            }
            case "Trilu": {
                long upper = attrInt(p, "upper", 1);
                long[] k = p.inputs().size() > 1 && !p.inputs().get(1).isEmpty() ? ints(c, p.inputs().get(1)) : new long[] {0};
                OnnxNode full = c.producer(p.inputs().get(0));
                if (upper != 1 || k == null || k.length != 1 || k[0] != 1 || full == null || !full.opType().equals("ConstantOfShape")) return false;
                OnnxAttribute v = full.attributes().get("value");
                if (v == null || v.kind() != OnnxAttribute.Kind.TENSOR || v.t().size() != 1 || v.t().toDoubleArray()[0] != Double.NEGATIVE_INFINITY) return false;
                OnnxNode shape = c.producer(full.inputs().get(0));
                return shape != null && shape.opType().equals("Concat") && shape.inputs().size() == 2 && sameLength(c, shape.inputs().get(0), shape.inputs().get(1));
            }
            default:
                return false;
        }
    }

    /** Whether two one-element shape values are the same length: one value, or Unsqueezes of one value. */
    private static boolean sameLength(ModelConversion c, String a, String b) {
        if (a.equals(b)) return true;
        OnnxNode pa = c.producer(a), pb = c.producer(b);
        return pa != null && pb != null && pa.opType().equals("Unsqueeze") && pb.opType().equals("Unsqueeze")
                && pa.inputs().get(0).equals(pb.inputs().get(0));
    }

    /** The producer of {@code node}'s input {@code i} when it has type {@code opType} and {@code node} alone reads its value. */
    private static OnnxNode producer(ModelConversion c, OnnxNode node, int i, String opType) {
        if (node.inputs().size() <= i) return null;
        OnnxNode p = c.producer(node.inputs().get(i));
        return p != null && p.opType().equals(opType) && only(c, p, node) ? p : null;
    }

    /** Whether {@code reader} is the only node but Shape nodes (and Transposes only Shape nodes read) that reads {@code node}'s first output, which is not a graph output. */
    private static boolean only(ModelConversion c, OnnxNode node, OnnxNode reader) {
        return onlyReaders(c, node.outputs().get(0), new OnnxNode[] {reader});
    }

    private static boolean onlyReaders(ModelConversion c, String value, OnnxNode[] allowed) {
        List<OnnxNode> readers = c.internalReaders(value);
        if (readers == null) return false;
        for (OnnxNode r : readers) {
            if (r.opType().equals("Shape") || readForItsShape(c, r)) continue;
            if (Arrays.stream(allowed).noneMatch(a -> a == r)) return false;
        }
        return true;
    }

    /** A Transpose whose output only Shape nodes read (the key-padding path reads the keys' length so). */
    private static boolean readForItsShape(ModelConversion c, OnnxNode r) {
        if (!r.opType().equals("Transpose")) return false;
        List<OnnxNode> next = c.internalReaders(r.outputs().get(0));
        return next != null && !next.isEmpty() && next.stream().allMatch(n -> n.opType().equals("Shape"));
    }

    /** A Slice of [start, end) on the last axis, step 1, its bounds constants or shape arithmetic. */
    private static boolean slicesLastAxis(ModelConversion c, OnnxNode slice, long start, long end, int rank) {
        List<String> in = slice.inputs();
        if (in.size() < 3) return false;
        long[] s = ints(c, in.get(1)), t = ints(c, in.get(2));
        long[] axes = in.size() > 3 && !in.get(3).isEmpty() ? ints(c, in.get(3)) : null;
        long[] steps = in.size() > 4 && !in.get(4).isEmpty() ? ints(c, in.get(4)) : new long[] {1};
        return s != null && t != null && axes != null && steps != null && s.length == 1 && t.length == 1 && axes.length == 1
                && (axes[0] == -1 || axes[0] == rank - 1) && steps.length == 1 && steps[0] == 1 && s[0] == start && t[0] == end;
    }

    private static long[] ints(ModelConversion c, String name) {
        Tensor v = c.evaluate(name);
        return v == null || v.dtype().isFloating() ? null : v.toLongArray();
    }

    private static boolean isTranspose(OnnxNode node, long... perm) {
        if (!node.opType().equals("Transpose")) return false;
        OnnxAttribute p = node.attributes().get("perm");
        return p != null && p.kind() == OnnxAttribute.Kind.INTS && Arrays.equals(p.ints(), perm);
    }

    private static Tensor constant(ModelConversion c, OnnxNode node, int i) {
        return node.inputs().size() > i ? c.constants.get(node.inputs().get(i)) : null;
    }

    /** The constant input of a binary node, or null. */
    private static Tensor otherConstant(ModelConversion c, OnnxNode node) {
        if (node.inputs().size() != 2) return null;
        Tensor a = c.constants.get(node.inputs().get(0)), b = c.constants.get(node.inputs().get(1));
        return a != null && b == null ? a : b != null && a == null ? b : null;
    }

    /** The non-constant input of a binary node. */
    private static String otherValue(ModelConversion c, OnnxNode node) {
        return c.constants.containsKey(node.inputs().get(0)) ? node.inputs().get(1) : node.inputs().get(0);
    }

    private static double scalar(Tensor t) {
        return t == null || t.size() != 1 || !t.dtype().isFloating() ? Double.NaN : t.toDoubleArray()[0];
    }

    private static long attrInt(OnnxNode node, String name, long dflt) {
        OnnxAttribute a = node.attributes().get(name);
        return a == null ? dflt : a.kind() == OnnxAttribute.Kind.INT ? a.i() : Long.MIN_VALUE;
    }

    private static float attrFloat(OnnxNode node, String name, float dflt) {
        OnnxAttribute a = node.attributes().get(name);
        return a == null ? dflt : a.kind() == OnnxAttribute.Kind.FLOAT ? a.f() : Float.NaN;
    }
}
