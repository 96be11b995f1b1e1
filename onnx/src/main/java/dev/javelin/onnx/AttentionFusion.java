package dev.javelin.onnx;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The import pass that finds attention as exporters write it and runs it as
 * {@link NN#scaledDotProductAttention} (one fused op: tiled, online softmax, the Tq×Tk scores never
 * stored). The pattern, each value read only by the next node:
 *
 * <pre>
 *   q ─[Div|Mul by s₁]─┐
 *   kᵀ ────────────────MatMul ─[Div|Mul by s₂]─[Add mask]─ Softmax(last axis) ─ MatMul ─ out
 *   v ──────────────────────────────────────────────────────────────────────────┘
 * </pre>
 *
 * PyTorch's {@code nn.MultiheadAttention} exports exactly this (q divided by √D, a mask through
 * {@code baddbmm}'s Mul and Add). The fused node's inputs are {@code q, s₁, kᵀ, v, s₂, mask} (absent
 * ones empty). At run time it folds s₁ and s₂ into the attention's scale when they are constant
 * scalars and q, kᵀ, v share their batch shape; otherwise it declines and the replaced nodes run
 * (see {@link FusedGraph}). A constant mask that is exactly the causal one becomes the fused op's
 * {@code causal} flag (the hidden key tiles are skipped). One difference remains where it fuses: a query whose every key is masked
 * with -inf gets zeros, where Softmax would give NaN.
 */
final class AttentionFusion {
    static final String OP_TYPE = "javelin.Attention";

    private AttentionFusion() {}

    /** {@code nodes} with every match replaced by one fused node; each fused node's replaced nodes go into {@code originals}. */
    static List<OnnxNode> apply(List<OnnxNode> nodes, FusedGraph.Uses uses, Map<OnnxNode, List<OnnxNode>> originals) {
        Map<OnnxNode, OnnxNode> fusedAt = new IdentityHashMap<>(); // the last node of each match -> its fused node
        Set<OnnxNode> removed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (OnnxNode n : nodes) {
            if (!isBinary(n, "MatMul") || removed.contains(n)) continue;
            Match m = match(n, uses);
            if (m == null) continue;
            OnnxNode fused = m.node();
            fusedAt.put(m.run().get(m.run().size() - 1), fused);
            removed.addAll(m.run());
            originals.put(fused, m.run());
        }
        List<OnnxNode> out = new ArrayList<>(nodes.size());
        for (OnnxNode n : nodes) {
            if (fusedAt.containsKey(n)) out.add(fusedAt.get(n));
            else if (!removed.contains(n)) out.add(n);
        }
        return out;
    }

    /** One match: the nodes it replaces, in the file's order, and the fused node. */
    private record Match(List<OnnxNode> run, OnnxNode node) {}

    /** The match whose scores are {@code scores}' product, walking down from it, or null. */
    private static Match match(OnnxNode scores, FusedGraph.Uses uses) {
        List<OnnxNode> run = new ArrayList<>();
        Map<String, OnnxAttribute> attrs = new LinkedHashMap<>();
        String q = scores.inputs().get(0), qScale = "", scoresScale = "", mask = "";
        OnnxNode before = uses.soleProducer(q);
        int qSide = before == null ? -1 : scaleSide(before, null, uses);
        if (qSide >= 0) {
            run.add(before);
            qScale = before.inputs().get(1 - qSide);
            q = before.inputs().get(qSide);
            attrs.put("q_scale", OnnxAttribute.ofString("q_scale", before.opType()));
        }
        run.add(scores);
        String value = scores.outputs().get(0);
        OnnxNode next = uses.soleReader(value);
        if (next != null && scaleSide(next, value, uses) >= 0) {
            run.add(next);
            scoresScale = next.inputs().get(1 - scaleSide(next, value, uses));
            attrs.put("scores_scale", OnnxAttribute.ofString("scores_scale", next.opType()));
            value = next.outputs().get(0);
            next = uses.soleReader(value);
        }
        if (next != null && isBinary(next, "Add")) {
            run.add(next);
            mask = next.inputs().get(next.inputs().get(0).equals(value) ? 1 : 0);
            value = next.outputs().get(0);
            next = uses.soleReader(value);
        }
        if (next == null || !next.opType().equals("Softmax") || next.inputs().size() != 1 || next.outputs().size() != 1) return null;
        if (next.attributes().containsKey("axis")) attrs.put("axis", next.attributes().get("axis"));
        run.add(next);
        value = next.outputs().get(0);
        OnnxNode weighted = uses.soleReader(value);
        if (weighted == null || !isBinary(weighted, "MatMul") || !weighted.inputs().get(0).equals(value)) return null;
        run.add(weighted);
        List<String> inputs = List.of(q, qScale, scores.inputs().get(1), weighted.inputs().get(1), scoresScale, mask);
        return new Match(run, new OnnxNode(weighted.name() + " (fused attention)", OP_TYPE, inputs, weighted.outputs(), attrs));
    }

    /**
     * When {@code n} scales a value by a constant of the file (an initializer or a Constant node's
     * output: a Div by it, or a Mul either way round), the input index of the scaled value, which must
     * be {@code value} unless that is null; else -1. Whether the constant is a scalar is checked at run time.
     */
    private static int scaleSide(OnnxNode n, String value, FusedGraph.Uses uses) {
        boolean div = isBinary(n, "Div");
        if (!div && !isBinary(n, "Mul")) return -1;
        List<String> in = n.inputs();
        for (int side = 0; side < 2; side++) {
            boolean fits = (value == null || in.get(side).equals(value)) && uses.isStatic(in.get(1 - side));
            if (fits && (side == 0 || !div)) return side;
        }
        return -1;
    }

    /** A node of {@code type} with two named inputs and one named output. */
    private static boolean isBinary(OnnxNode n, String type) {
        return n.opType().equals(type) && n.inputs().size() == 2 && n.outputs().size() == 1 && !n.inputs().get(0).isEmpty()
                && !n.inputs().get(1).isEmpty() && !n.outputs().get(0).isEmpty();
    }

    /** The fused node's operator: attention through the fused op, or null (decline) when the values do not fit it. */
    static Tensor[] run(NodeContext ctx) {
        Tensor q = ctx.input(0), kt = ctx.input(2), v = ctx.input(3), mask = ctx.optional(5);
        double scale = 1;
        if (ctx.has(1)) {
            Double s = scalar(ctx, 1, ctx.attrString("q_scale", "Mul"));
            if (s == null) return null;
            scale *= s;
        }
        if (ctx.has(4)) {
            Double s = scalar(ctx, 4, ctx.attrString("scores_scale", "Mul"));
            if (s == null) return null;
            scale *= s;
        }
        int rank = q.rank();
        if (rank < 2 || kt.rank() != rank || v.rank() != rank) return null;
        Shape batch = q.shape().sub(0, rank - 2);
        if (!kt.shape().sub(0, rank - 2).equals(batch) || !v.shape().sub(0, rank - 2).equals(batch)) return null;
        if (kt.dim(-2) != q.dim(-1) || v.dim(-2) != kt.dim(-1)) return null;
        if (q.dtype() != DType.FLOAT32 || kt.dtype() != q.dtype() || v.dtype() != q.dtype()) return null;
        long axis = ctx.attrInt("axis", -1);
        if (axis != -1 && axis != rank - 1) return null;
        if (mask != null) {
            int[] scores = java.util.Arrays.copyOf(batch.toArray(), rank);
            scores[rank - 2] = q.dim(-2);
            scores[rank - 1] = kt.dim(-1);
            if (mask.dtype() != q.dtype() || !mask.shape().broadcastsTo(Shape.of(scores))) return null;
        }
        boolean causal = mask != null && ctx.isConstant(5) && isCausal(mask);
        return new Tensor[] {NN.scaledDotProductAttention(q, kt.mT(), v, causal ? null : mask, causal, scale)};
    }

    /**
     * True for a constant mask that is exactly the causal one (a decoder's {@code triu(-inf, 1)}, the
     * same for every batch entry): 0 where key j may be seen by query i (j <= i), -inf above. The
     * fused op then skips the hidden tiles instead of adding the mask.
     */
    static boolean isCausal(Tensor mask) {
        int rank = mask.rank();
        if (rank < 2 || mask.dim(-1) != mask.dim(-2)) return false;
        for (int d = 0; d < rank - 2; d++) if (mask.dim(d) != 1) return false;
        int t = mask.dim(-1);
        double[] m = mask.toDoubleArray();
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                double want = j > i ? Double.NEGATIVE_INFINITY : 0;
                if (m[i * t + j] != want) return false;
            }
        }
        return true;
    }

    /** A constant scalar scale as the factor it puts on the scores ({@code 1/s} for Div), or null when it is not one. */
    private static Double scalar(NodeContext ctx, int input, String op) {
        if (!ctx.isConstant(input) || ctx.input(input).size() != 1 || !ctx.input(input).dtype().isFloating()) return null;
        double s = ctx.input(input).toDoubleArray()[0];
        double factor = op.equals("Div") ? 1 / s : s;
        return Double.isFinite(factor) ? factor : null;
    }
}
