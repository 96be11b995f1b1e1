package dev.javelin.onnx;

import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.EagerEngine;
import dev.javelin.tensor.spi.SymbolicEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Frees the batch of a file exported with a fixed one ({@code torch.onnx.export} without
 * {@code dynamic_axes}), for {@link OnnxModel#toModel()}, which builds a model for any batch. Such a
 * file's shape arithmetic is folded to constants at the export's batch B, so a Reshape's target holds
 * B (or B times a head count: {@code [T, B*H, D]}, {@code [T*B, E]}).
 *
 * <p>The graph is evaluated on shapes at B and at a second batch, node by node, following where the
 * batch lies in each value: an axis, and within it how many elements come before and after the batch
 * index (axis 1 of {@code [T, B*H, D]} holds B with 1 before and H after). A Reshape to a constant
 * target that the batch flows through gets a new target whose batch axis is -1 (its other entries
 * resolved at B), found from the input's batch position in row-major order, so {@code [T*B, E] -> [T,
 * B, E]}, {@code [T, B, E] -> [T, B*H, D]} and {@code [B, C, L] -> [B, C*L]} all follow any batch.
 * At a batch of 1 (a file exported with one example) a target can hold the batch on several axes
 * ({@code [T, 1, E] -> [T, 2, 8]} is {@code [T*B, H, D]} or {@code [T, B*H, D]}): the choices are
 * searched until the graph runs at the second batch with every output's batch alone on its first axis.
 * A constant of one value shaped for B that a broadcasting node combines with the batch (the zeros of
 * PyTorch's key padding mask, {@code Where(mask, -inf, zeros [B*H, 1, T])}) becomes that one value.
 * Everything else must already follow the batch (shape arithmetic from {@code Shape} nodes, elementwise
 * ops, matmuls, convolutions, recurrent nodes); a node that fails at the second batch (a constant
 * shaped with B that a value is added to or expanded to, a Slice or Split of the batch axis) is an
 * {@link IllegalArgumentException} naming it.
 */
final class FixedBatch {
    /** The second batch: a size no layer width is likely to share, so a value that ignores the batch cannot pass by accident. */
    private static final int PROBE = 97;

    private FixedBatch() {}

    /** Where the batch lies in a value: axis {@code axis} holds {@code before * batch * after} elements in that order. */
    private record BatchAt(int axis, long before, long after) {}

    /** The batch every input fixes as its first dimension, or 0 when some input's first dimension is symbolic (or absent). */
    static int fixedBatch(OnnxGraph g) {
        int batch = 0;
        for (ValueInfo in : g.inputs()) {
            int[] dims = in.dims();
            if (dims == null || dims.length == 0 || dims[0] < 1) return 0;
            if (batch != 0 && batch != dims[0]) return 0;
            batch = dims[0];
        }
        return batch;
    }

    /**
     * {@code g} with its inputs' first dimension symbolic ({@code "batch"}) and the Reshapes that bake in
     * the batch rewritten; {@code g} itself when no input fixes one.
     */
    static OnnxGraph free(OnnxGraph g, String source) {
        int batch = fixedBatch(g);
        if (batch == 0) return g;
        boolean lengths = false; // symbolic dimensions after the batch axis: tried at sizes a window fits, as OnnxModel's load check
        for (ValueInfo in : g.inputs()) for (int d = 1; d < in.dims().length; d++) lengths |= in.dims()[d] < 0;
        IllegalArgumentException first = null;
        for (int length : lengths ? new int[] {7, 64, 512} : new int[] {1}) {
            try {
                return free(g, source, batch, length);
            } catch (IllegalArgumentException e) {
                if (first == null) first = e;
            }
        }
        throw first;
    }

    /**
     * At most this many passes over the graph search the Reshapes whose constant target could take the batch on
     * several axes (see {@link Choices}).
     */
    private static final int MAX_PASSES = 256;

    /**
     * The graph freed at this length. A Reshape whose constant target could hold the batch on several axes (a file
     * exported at batch 1, where {@code [T, 1, E] -> [T, 2, 8]} may be {@code [T*B, H, D]} or {@code [T, B*H, D]}) is
     * a choice: the passes try the choices depth first until every node runs at the second batch and every output
     * holds the batch alone on its first axis, as a Keras model's outputs do. Where no choice gives that, the first
     * that runs is kept (an output that holds the batch elsewhere by design), or the first failure is thrown.
     */
    private static OnnxGraph free(OnnxGraph g, String source, int batch, int length) {
        Choices choices = new Choices();
        IllegalArgumentException firstFailure = null;
        OnnxGraph firstRun = null;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            choices.restart();
            try {
                Pass p = freeOnce(g, source, batch, length, choices);
                if (p.batchFirst()) return p.graph();
                if (firstRun == null) firstRun = p.graph();
            } catch (IllegalArgumentException e) {
                if (firstFailure == null) firstFailure = e;
            }
            if (!choices.advance()) break;
        }
        if (firstRun != null) return firstRun;
        throw firstFailure;
    }

    /** One pass's graph, and whether every output holds the batch alone on its first axis (or does not hold it). */
    private record Pass(OnnxGraph graph, boolean batchFirst) {}

    /**
     * The axes chosen at the ambiguous Reshapes of one pass, in the order the pass meets them, and how many each
     * had: the next pass changes the last choice that has an untried axis left and forgets those after it.
     */
    private static final class Choices {
        private final List<Integer> picks = new ArrayList<>(), counts = new ArrayList<>();
        private int next;

        void restart() {
            next = 0;
        }

        /** The candidate to take at the next Reshape with {@code candidates} (at least 2) axes. */
        int pick(int candidates) {
            if (next == picks.size()) {
                picks.add(0);
                counts.add(candidates);
            }
            return picks.get(next++);
        }

        /** Moves to the next untried combination; false when every one was tried. */
        boolean advance() {
            for (int i = Math.min(next, picks.size()) - 1; i >= 0; i--) {
                if (picks.get(i) + 1 < counts.get(i)) {
                    picks.set(i, picks.get(i) + 1);
                    picks.subList(i + 1, picks.size()).clear();
                    counts.subList(i + 1, counts.size()).clear();
                    return true;
                }
            }
            return false;
        }
    }

    private static Pass freeOnce(OnnxGraph g, String source, int batch, int length, Choices choices) {
        int probe = batch == PROBE ? PROBE - 8 : PROBE;
        Map<String, Tensor> at = new HashMap<>(g.initializers()), atProbe = new HashMap<>(g.initializers());
        Map<String, BatchAt> where = new HashMap<>();
        Map<String, Tensor> initializers = new LinkedHashMap<>(g.initializers());
        List<OnnxNode> nodes = new ArrayList<>();
        for (ValueInfo in : g.inputs()) {
            at.put(in.name(), symbolic(in, batch, length));
            atProbe.put(in.name(), symbolic(in, probe, length));
            where.put(in.name(), new BatchAt(0, 1, 1));
        }
        for (OnnxNode node : g.nodes()) {
            Tensor[] out = run(g, node, at, source, batch, batch);
            if (node.opType().equals("Reshape") && node.inputs().size() > 1) {
                node = rewriteReshape(node, at, atProbe, where, batch, length > 1, initializers, source, choices);
            }
            if (node.opType().equals("Expand") && node.inputs().size() > 1) node = rewriteExpand(node, at, atProbe, batch, initializers);
            Tensor[] outProbe;
            try {
                outProbe = run(g, node, atProbe, source, batch, probe);
            } catch (IllegalArgumentException e) {
                OnnxNode oneValue = uniformConstantsAsOneValue(g, node, at, atProbe, out, initializers);
                if (oneValue == null) throw e;
                node = oneValue;
                outProbe = run(g, node, atProbe, source, batch, probe);
            }
            nodes.add(node);
            for (int o = 0; o < node.outputs().size() && o < out.length && o < outProbe.length; o++) {
                String name = node.outputs().get(o);
                if (name.isEmpty()) continue;
                at.put(name, out[o]);
                atProbe.put(name, outProbe[o]);
                BatchAt b = follow(node, out[o].shape(), outProbe[o].shape(), batch, probe, at, atProbe, where);
                if (b != null) where.put(name, b);
            }
        }
        boolean batchFirst = true;
        for (ValueInfo out : g.outputs()) {
            Tensor s = at.get(out.name()), p = atProbe.get(out.name());
            if (s == null || p == null || s.shape().equals(p.shape())) continue;
            batchFirst &= new BatchAt(0, 1, 1).equals(where.get(out.name()));
        }
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfo in : g.inputs()) {
            int[] dims = in.dims();
            String[] names = in.dimNames().clone();
            dims[0] = -1;
            names[0] = "batch";
            inputs.add(new ValueInfo(in.name(), in.dtype(), dims, names));
        }
        return new Pass(new OnnxGraph(g.opset(), inputs, g.outputs(), initializers, nodes), batchFirst);
    }

    private static Tensor symbolic(ValueInfo in, int batch, int length) {
        int[] dims = in.dims();
        for (int d = 1; d < dims.length; d++) if (dims[d] < 0) dims[d] = length;
        dims[0] = batch;
        return Tensor.symbolic(Shape.of(dims), in.dtype(), Device.CPU, null);
    }

    /** Runs {@code node} on shapes (constants of at most 2^16 elements computed, as {@link GraphEvaluator} folds them). */
    private static Tensor[] run(OnnxGraph g, OnnxNode node, Map<String, Tensor> values, String source, int batch, int size) {
        Tensor[] in = new Tensor[node.inputs().size()];
        boolean fold = true;
        for (int i = 0; i < in.length; i++) {
            String name = node.inputs().get(i);
            if (name.isEmpty()) continue;
            in[i] = values.get(name);
            fold &= !in[i].isSymbolic() && in[i].size() <= GraphEvaluator.FOLD_INPUT_ELEMENTS;
        }
        try (Dispatch.Scope s = Dispatch.use(fold ? EagerEngine.INSTANCE : new SymbolicEngine())) {
            return Operators.find(node.opType()).apply(new NodeContext(node, g.opset(), in));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(source + ": toModel: the file fixes the batch at " + batch + ", and at another batch ("
                    + size + ") " + node.describe() + " fails: " + e.getMessage() + ". toModel frees a fixed batch where it flows through"
                    + " shape arithmetic from Shape nodes and through Reshapes to constant shapes; a constant made for that batch (added,"
                    + " expanded, sliced or split along it) keeps it: export with a dynamic batch axis (torch.onnx.export(...,"
                    + " dynamic_axes={'<input>': {0: 'batch'}})) or run the file with OnnxModel.load", e);
        }
    }

    /**
     * A Reshape whose constant target bakes in the batch, rewritten to a target whose batch axis is -1;
     * the node itself when its target follows the batch already (shape arithmetic) or the batch does not
     * flow through it.
     */
    private static OnnxNode rewriteReshape(OnnxNode node, Map<String, Tensor> at, Map<String, Tensor> atProbe,
                                           Map<String, BatchAt> where, int batch, boolean lengths, Map<String, Tensor> initializers,
                                           String source, Choices choices) {
        String data = node.inputs().get(0), shape = node.inputs().get(1);
        Tensor x = at.get(data), xProbe = atProbe.get(data), target = at.get(shape), targetProbe = atProbe.get(shape);
        if (x.size() == xProbe.size() || target.isSymbolic() || targetProbe.isSymbolic()) return node;
        if (!Arrays.equals(target.toLongArray(), targetProbe.toLongArray())) return node; // computed from shapes: follows the batch
        BatchAt b = where.get(data);
        if (b == null) {
            throw new IllegalArgumentException(source + ": toModel: the file fixes the batch at " + batch + " and " + node.describe()
                    + " reshapes " + x.shape() + " to the constant " + Arrays.toString(target.toLongArray())
                    + ", but the batch's place in its input is lost on the way (through a node toModel cannot follow)");
        }
        long[] t = resolved(target.toLongArray(), x.shape(), node.attributes().get("allowzero"));
        if (t == null) return node; // an empty value: nothing to follow
        long outer = b.before, inner = b.after;
        for (int d = 0; d < b.axis; d++) outer *= x.dim(d);
        for (int d = b.axis + 1; d < x.rank(); d++) inner *= x.dim(d);
        List<Integer> candidates = new ArrayList<>(); // more than one only where the batch's size cannot tell (a batch of 1)
        long prefix = 1;
        for (int k = 0; k < t.length; k++) {
            long suffix = 1;
            for (int j = k + 1; j < t.length; j++) suffix *= t[j];
            if (outer % prefix == 0 && inner % suffix == 0 && (outer / prefix) * batch * (inner / suffix) == t[k]) candidates.add(k);
            prefix *= t[k];
        }
        int axis = candidates.isEmpty() ? -1 : candidates.size() == 1 ? candidates.get(0) : candidates.get(choices.pick(candidates.size()));
        if (axis < 0) {
            throw new IllegalArgumentException(source + ": toModel: the file fixes the batch at " + batch + " and " + node.describe()
                    + " reshapes " + x.shape() + " to the constant " + Arrays.toString(target.toLongArray())
                    + ", which splits the batch across axes; toModel cannot free it");
        }
        long[] original = target.toLongArray();
        OnnxAttribute allowZero = node.attributes().get("allowzero");
        if (b.axis == axis && b.before == 1 && b.after == 1 && t[axis] == batch && (allowZero == null || allowZero.i() == 0)) {
            original[axis] = 0; // the batch stays on its axis: 0 copies it, and a -1 of the target still takes a free length
            return withInput(node, 1, Tensors.of(original), "batch_free_shape", at, atProbe, initializers);
        }
        if (lengths && Arrays.stream(original).anyMatch(v -> v == -1)) {
            throw new IllegalArgumentException(source + ": toModel: the file fixes the batch at " + batch + " and " + node.describe()
                    + " reshapes " + x.shape() + " to " + Arrays.toString(original) + ", merging the batch with another axis while its -1"
                    + " takes a symbolic length; toModel cannot free both: export with a dynamic batch axis or run the file with OnnxModel.load");
        }
        t[axis] = -1;
        Map<String, OnnxAttribute> attributes = new LinkedHashMap<>(node.attributes());
        attributes.remove("allowzero");
        return withInput(new OnnxNode(node.name(), node.opType(), node.inputs(), node.outputs(), attributes), 1, Tensors.of(t),
                "batch_free_shape", at, atProbe, initializers);
    }

    /**
     * An Expand of a constant shaped with the batch (the zero initial state [1, B, H] {@code torch.onnx.export}
     * writes for a recurrent layer called without one) to a shape that follows the batch: the constant,
     * equal in every batch row, becomes one row, which the Expand broadcasts to any batch.
     */
    private static OnnxNode rewriteExpand(OnnxNode node, Map<String, Tensor> at, Map<String, Tensor> atProbe, int batch,
                                          Map<String, Tensor> initializers) {
        Tensor c = at.get(node.inputs().get(0)), target = at.get(node.inputs().get(1)), targetProbe = atProbe.get(node.inputs().get(1));
        if (c.isSymbolic() || target.isSymbolic() || targetProbe.isSymbolic()) return node;
        long[] t = target.toLongArray(), tp = targetProbe.toLongArray();
        if (t.length != tp.length || t.length < c.rank()) return node;
        int axis = -1;
        for (int k = 0; k < t.length; k++) if (t[k] != tp[k]) axis = axis < 0 && t[k] == batch ? k : Integer.MAX_VALUE;
        int cAxis = axis - (t.length - c.rank());
        if (axis < 0 || axis == Integer.MAX_VALUE || cAxis < 0 || c.dim(cAxis) != batch) return node;
        Tensor row = c.narrow(cAxis, 0, 1);
        for (int i = 1; i < batch; i++) if (!Arrays.equals(c.narrow(cAxis, i, 1).contiguous().toDoubleArray(), row.contiguous().toDoubleArray())) return node;
        return withInput(node, 0, row.contiguous(), "batch_free_row", at, atProbe, initializers);
    }

    /** Operators that broadcast their inputs against each other elementwise. */
    private static final Set<String> BROADCASTING = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Where", "Equal", "Less", "LessOrEqual",
            "Greater", "GreaterOrEqual", "And", "Or", "Xor", "Max", "Min", "Mod", "BitShift");

    /**
     * A broadcasting node that fails at the second batch because an input is a constant of one value shaped
     * for the file's batch (PyTorch's key padding mask: {@code Where(mask, -inf, zeros [B*H, 1, T])}, the zeros
     * folded at B), with those constants as one value of their rank, which broadcasts to any batch; null when
     * no input is such a constant or the node's output at B would change shape.
     */
    private static OnnxNode uniformConstantsAsOneValue(OnnxGraph g, OnnxNode node, Map<String, Tensor> at, Map<String, Tensor> atProbe,
                                                       Tensor[] out, Map<String, Tensor> initializers) {
        if (!BROADCASTING.contains(node.opType())) return null;
        OnnxNode rewritten = node;
        for (int i = 0; i < node.inputs().size(); i++) {
            String name = node.inputs().get(i);
            Tensor c = name.isEmpty() ? null : at.get(name), cp = name.isEmpty() ? null : atProbe.get(name);
            if (c == null || cp == null || c.isSymbolic() || cp.isSymbolic() || !c.shape().equals(cp.shape()) || c.size() < 2
                    || c.size() > GraphEvaluator.FOLD_INPUT_ELEMENTS || !oneValue(c)) continue;
            Tensor one = c;
            for (int d = 0; d < c.rank(); d++) one = one.narrow(d, 0, 1);
            rewritten = withInput(rewritten, i, one.contiguous(), "batch_free_value" + i, at, atProbe, initializers);
        }
        if (rewritten == node) return null;
        Tensor[] check = run(g, rewritten, at, "", 0, 0);
        for (int o = 0; o < out.length && o < check.length; o++) if (!check[o].shape().equals(out[o].shape())) return null;
        return rewritten;
    }

    /** Whether every element of {@code c} has the same bits (as doubles). */
    private static boolean oneValue(Tensor c) {
        double[] v = c.contiguous().toDoubleArray();
        for (double x : v) if (Double.doubleToLongBits(x) != Double.doubleToLongBits(v[0])) return false;
        return true;
    }

    /** {@code node} reading the new initializer {@code value} (named after the node and {@code what}) as its input {@code i}. */
    private static OnnxNode withInput(OnnxNode node, int i, Tensor value, String what, Map<String, Tensor> at, Map<String, Tensor> atProbe,
                                      Map<String, Tensor> initializers) {
        String name = node.name() + "/" + what;
        initializers.put(name, value);
        at.put(name, value);
        atProbe.put(name, value);
        List<String> inputs = new ArrayList<>(node.inputs());
        inputs.set(i, name);
        return new OnnxNode(node.name(), node.opType(), inputs, node.outputs(), node.attributes());
    }

    /** A Reshape target with its 0s (copies, unless {@code allowzero}) and -1 replaced by the sizes they stand for at {@code x}. */
    private static long[] resolved(long[] target, Shape x, OnnxAttribute allowZero) {
        long[] t = target.clone();
        boolean copyZeros = allowZero == null || allowZero.i() == 0;
        long known = 1;
        int infer = -1;
        for (int k = 0; k < t.length; k++) {
            if (t[k] == 0 && copyZeros) t[k] = x.dim(k);
            if (t[k] == -1) infer = k;
            else known *= t[k];
        }
        if (infer >= 0 && known > 0) t[infer] = x.size() / known;
        for (long v : t) if (v <= 0) return null;
        return t;
    }

    /**
     * Where the batch lies in a node's output, whose shape is {@code s} at the file's batch and
     * {@code p} at the probe: null when the batch does not reach it or its place is lost (more than one
     * axis changed, or a change no input explains).
     */
    private static BatchAt follow(OnnxNode node, Shape s, Shape p, int batch, int probe, Map<String, Tensor> at, Map<String, Tensor> atProbe,
                                  Map<String, BatchAt> where) {
        if (s.equals(p) || s.rank() != p.rank()) return null;
        int axis = -1;
        for (int d = 0; d < s.rank(); d++) {
            if (s.dim(d) == p.dim(d)) continue;
            if (axis >= 0) return null;
            axis = d;
        }
        long per = s.dim(axis) / batch;
        if (s.dim(axis) % batch != 0 || p.dim(axis) != per * probe) return null;
        if (per == 1) return new BatchAt(axis, 1, 1);
        if (node.opType().equals("Reshape") || node.opType().equals("Flatten")) {
            // row-major order is kept: the elements before the batch are those of the input
            BatchAt in = where.get(node.inputs().get(0));
            Tensor x = at.get(node.inputs().get(0));
            if (in == null) return null;
            long outer = in.before;
            for (int d = 0; d < in.axis; d++) outer *= x.dim(d);
            long prefix = 1;
            for (int d = 0; d < axis; d++) prefix *= s.dim(d);
            long before = prefix > 0 && outer % prefix == 0 ? outer / prefix : 0;
            return before > 0 && per % before == 0 ? new BatchAt(axis, before, per / before) : null;
        }
        for (String name : node.inputs()) { // elementwise ops, matmuls, transposes: the batch keeps its place within the axis
            BatchAt in = name.isEmpty() ? null : where.get(name);
            if (in == null) continue;
            Shape xs = at.get(name).shape(), xp = atProbe.get(name).shape();
            if (xs.dim(in.axis) == s.dim(axis) && xp.dim(in.axis) == p.dim(axis)) return new BatchAt(axis, in.before, in.after);
        }
        return null;
    }
}
