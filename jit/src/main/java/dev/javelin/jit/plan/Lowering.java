package dev.javelin.jit.plan;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.ReductionOrder;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.kernels.cpu.VectorSupport;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.spi.Backend;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.Views;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an optimized graph into program steps: one {@link PlanStep.Kernel} per materialized
 * elementwise value or reduction (its inlined producers become the loop body), a
 * {@link PlanStep.Backend} per op without generated code, a {@link PlanStep.View} per view needed in
 * memory.
 *
 * <p>Views inside a kernel cost nothing: elementwise ops commute with movement ops, so a view met
 * on the way from the kernel's root to a stored value is pushed down to that value and composed
 * into the strides the kernel reads it with. When a reshape cannot be expressed by strides (a
 * reshape of a transposed value), the value below it is materialized densely and planning retries.
 */
public final class Lowering {
    private Lowering() {}

    /**
     * The steps that compute {@code graph}'s outputs and variable writes. Where the selected backend
     * runs no generated kernels ({@link Backend#runsGeneratedKernels()}: the reference backend), or
     * without the Vector API module (generated kernels could not load), every op becomes a backend or
     * view step, so the program runs through the backend alone.
     */
    public static List<PlanStep> plan(Graph graph) {
        return plan(graph, new ArrayList<>());
    }

    /**
     * As {@link #plan(Graph)}, adding to {@code decisions} one line per stored value (why it is
     * stored) and per kernel (which ops its loop computes).
     */
    public static List<PlanStep> plan(Graph graph, List<String> decisions) {
        Backend backend = backendOf(graph);
        if (!backend.runsGeneratedKernels()) {
            decisions.add("backend " + backend.name() + " runs no generated kernels: every op runs on it, one at a time");
            return backendSteps(graph);
        }
        if (!VectorSupport.modulePresent()) {
            VectorSupport.warnOnce();
            decisions.add("no Vector API module (--add-modules jdk.incubator.vector): every op runs on the backend");
            return backendSteps(graph);
        }
        Map<Node, String> forced = new IdentityHashMap<>();
        while (true) {
            Fusion fusion = Fusion.decide(graph, forced);
            try {
                Map<Node, List<Node>> fused = new IdentityHashMap<>();
                List<PlanStep> steps = steps(graph, fusion, fused);
                explain(fusion, steps, fused, decisions);
                return steps;
            } catch (NeedsCopy e) {
                if (forced.putIfAbsent(e.node, e.why) != null) throw new IllegalStateException("Jit: cannot lay out " + e.node.describe());
            }
        }
    }

    /** Why each step's value is stored, and which ops each kernel's loop recomputes. */
    private static void explain(Fusion fusion, List<PlanStep> steps, Map<Node, List<Node>> fusedOps, List<String> decisions) {
        for (PlanStep s : steps) {
            Node n = s.node();
            String why = fusion.reason(n);
            switch (s) {
                case PlanStep.Kernel k -> {
                    StringBuilder fused = new StringBuilder();
                    for (Node op : fusedOps.getOrDefault(n, List.of())) fused.append(" %").append(op.id()).append(' ').append(op.op().label());
                    decisions.add("kernel %" + n.id() + " " + k.ir().name() + (fused.isEmpty() ? "" : ": its loop computes" + fused)
                            + (why == null ? "" : "; stored because " + why));
                }
                case PlanStep.Backend b -> decisions.add("backend %" + n.id() + " " + n.op().label() + ": " + (why == null ? "run by the backend" : why));
                case PlanStep.View v -> decisions.add("view %" + n.id() + " " + n.op().label() + ": made at run time, " + (why == null ? "read as a tensor" : why));
            }
        }
    }

    /**
     * The backend selected for the device {@code graph} computes on (a CUDA device where any value
     * lives on one, else the CPU), looked up now: {@code -Djavelin.backend} or {@code Backends.prefer}.
     */
    public static Backend backendOf(Graph graph) {
        for (Node n : graph.nodes()) if (n.device().type() != Device.Type.CPU) return Backends.forDevice(n.device());
        return Backends.forDevice(Device.CPU);
    }

    /**
     * One step per op, none generated: what runs when the JVM has no Vector API, or when the selected
     * backend runs no generated kernels (the reference backend).
     */
    public static List<PlanStep> backendSteps(Graph graph) {
        List<PlanStep> steps = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (n.isOp()) steps.add(n.isView() ? new PlanStep.View(n) : new PlanStep.Backend(n));
        }
        return steps;
    }

    private static List<PlanStep> steps(Graph graph, Fusion fusion, Map<Node, List<Node>> fused) {
        List<PlanStep> steps = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (!n.isOp()) continue;
            if (fusion.materialized().contains(n)) {
                if (Fusion.isFusible(n) || n.isView() || Fusion.isReducible(n)) {
                    Group group = new Group(n, fusion);
                    steps.add(group.lower());
                    fused.put(n, group.fused);
                } else {
                    steps.add(new PlanStep.Backend(n));
                }
            } else if (fusion.runtimeViews().contains(n)) {
                steps.add(new PlanStep.View(n));
            }
        }
        return steps;
    }

    /** Thrown when a view cannot be composed into strides; {@code node} must be stored densely first. */
    static final class NeedsCopy extends RuntimeException {
        final transient Node node;
        final String why;

        NeedsCopy(Node node, String why) {
            super(null, null, false, false);
            this.node = node;
            this.why = why;
        }
    }

    /** The loop body of one kernel, built by walking from its root down to stored values. */
    private static final class Group {
        private final Node root;
        private final Fusion fusion;
        private final boolean reduce;
        private final List<KernelIR.Instr> body = new ArrayList<>();
        private final Map<List<Object>, Integer> memo = new HashMap<>();
        private final Map<List<Object>, Integer> slotIndex = new HashMap<>();
        private final List<Node> leaves = new ArrayList<>();
        private final List<Views.Layout> layouts = new ArrayList<>();
        /** The ops whose values this kernel's loop computes. */
        private final List<Node> fused = new ArrayList<>();

        Group(Node root, Fusion fusion) {
            this.root = root;
            this.fusion = fusion;
            this.reduce = Fusion.isReducible(root);
        }

        PlanStep.Kernel lower() {
            Node top = reduce ? root.input(0) : root;
            lowerNode(top, List.of());
            Shape space = top.shape();
            int[] outStrides = outputStrides(space);
            boolean[] reduced = new boolean[space.rank()];
            if (reduce) for (int a : root.attrs(OpAttrs.Reduce.class).axes()) reduced[a] = true;
            PlanStep.Kernel kernel = Geometry.kernel(root, name(space), body, leaves, layouts, outStrides, space, reduced);
            if (kernel.ir().mode() == KernelIR.Mode.REDUCE_ROW && space.size() > 0
                    && kernel.launch().n() != ReductionOrder.rowLength(space.toArray(), reduced)) {
                // a slot's strides cut the rows shorter than a dense value's (a transposed or broadcast operand):
                // the value is stored densely first and reduced as eager reduces it (see ReductionOrder)
                throw new NeedsCopy(top, "the rows of reduction %" + root.id() + " do not run along its layout: it is stored densely, "
                        + "so the sum has the order of a dense value's");
            }
            return kernel;
        }

        private int lowerNode(Node n, List<Node> path) {
            List<Object> key = List.of(n.id(), path.stream().map(Node::id).toList());
            Integer done = memo.get(key);
            if (done != null) return done;
            int result;
            if (n != root && fusion.materialized().contains(n)) {
                result = emit(KernelIR.Instr.load(slot(n, path), n.dtype()));
            } else if (n.isView()) {
                List<Node> deeper = new ArrayList<>(path);
                deeper.add(n);
                result = lowerNode(n.input(0), deeper);
            } else {
                List<Integer> args = new ArrayList<>();
                for (Node in : n.inputs()) args.add(lowerNode(in, path));
                result = emit(KernelIR.Instr.op(n.op(), args, n.dtype()));
                if (!fused.contains(n)) fused.add(n);
            }
            memo.put(key, result);
            return result;
        }

        private int emit(KernelIR.Instr instr) {
            body.add(instr);
            return body.size() - 1;
        }

        /** The slot reading {@code leaf} through the views of {@code path}, composed innermost first. */
        private int slot(Node leaf, List<Node> path) {
            int[] strides = leaf.shape().contiguousStrides();
            int offset = 0;
            for (int i = path.size() - 1; i >= 0; i--) {
                Node v = path.get(i);
                Views.Layout l = Views.layout(v.symbolicCall(), strides, offset);
                if (l == null) throw new NeedsCopy(v.input(0), "a view of it cannot be expressed by strides: it is copied densely first");
                strides = l.strides();
                offset = l.offset();
            }
            List<Object> key = List.of(leaf.id(), java.util.Arrays.toString(strides), offset);
            Integer s = slotIndex.get(key);
            if (s != null) return s;
            leaves.add(leaf);
            layouts.add(new Views.Layout(strides, offset));
            slotIndex.put(key, leaves.size() - 1);
            return leaves.size() - 1;
        }

        /** The output's strides over the iteration space: 0 along reduced axes. */
        private int[] outputStrides(Shape space) {
            if (!reduce) return space.contiguousStrides();
            OpAttrs.Reduce r = root.attrs(OpAttrs.Reduce.class);
            int[] outContig = root.shape().contiguousStrides();
            boolean[] red = new boolean[space.rank()];
            for (int a : r.axes()) red[a] = true;
            int[] s = new int[space.rank()];
            for (int d = 0, k = 0; d < space.rank(); d++) {
                if (red[d]) {
                    if (r.keepDims()) k++;
                } else {
                    s[d] = outContig[k++];
                }
            }
            return s;
        }

        private String name(Shape space) {
            StringBuilder sb = new StringBuilder(reduce ? "R_" + root.op().label().replace("reduce_", "") : "E");
            Set<String> ops = new LinkedHashSet<>();
            for (KernelIR.Instr in : body) if (!in.load()) ops.add(in.op().label());
            if (ops.isEmpty() && !reduce) ops.add("copy");
            int shown = 0;
            for (String o : ops) {
                if (shown++ == 6) {
                    sb.append("_etc");
                    break;
                }
                sb.append('_').append(o);
            }
            sb.append('_');
            int[] d = space.toArray();
            if (d.length == 0) sb.append("1");
            for (int i = 0; i < d.length; i++) sb.append(i > 0 ? "x" : "").append(d[i]);
            return sb.toString();
        }
    }
}
