package dev.javelin.jit.runtime;

import dev.javelin.jit.cpu.CpuKernel;
import dev.javelin.jit.cpu.RowGroups;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.jit.plan.PlanStep;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Debug;
import dev.javelin.tensor.spi.EagerEngine;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A compiled program: the optimized graph's steps with their generated kernels, ready to run many
 * times. Running needs no tracing and no code generation; it is safe from several threads at once
 * (each call has its own values; reusable buffers come from a pool, one set per concurrent call).
 */
public final class Program {
    /** {@code -Djavelin.jit.rowGroups=false} runs every kernel on its own: for measuring what row groups buy. */
    private static final boolean ROW_GROUPS = Boolean.parseBoolean(System.getProperty("javelin.jit.rowGroups", "true"));
    private final Graph graph;
    private final List<PlanStep> steps;
    private final CpuKernel[] kernels;
    private final Map<Node, Integer> index = new IdentityHashMap<>();
    private final BufferPlan buffers;
    private final ConcurrentLinkedQueue<Object[]> arenas = new ConcurrentLinkedQueue<>();
    private final Tensor[] constants;
    private final long compileNanos;
    /** Per step that starts a row group, one past its last member (see {@link RowGroups}). */
    private final int[] groupEnd;
    /** Per step, true when its result lives in its row group's scratch row. */
    private final boolean[] scratch;
    private final RowGroups rowGroups;
    private final OutputTargets targets;

    public Program(Graph graph, List<PlanStep> steps) {
        long start = System.nanoTime();
        this.graph = graph;
        this.steps = List.copyOf(steps);
        for (Node n : graph.nodes()) index.put(n, index.size());
        kernels = new CpuKernel[steps.size()];
        int debug = Debug.level();
        for (int t = 0; t < steps.size(); t++) {
            if (steps.get(t) instanceof PlanStep.Kernel k) {
                kernels[t] = new CpuKernel(k.ir(), k.launch());
                if (debug >= 1 && kernels[t].fresh()) {
                    System.err.printf("[javelin-jit] compiled %s in %.2f ms%n", k.ir().name(), kernels[t].compileNanos() / 1e6);
                }
                if (debug >= 2 && kernels[t].fresh()) System.err.println(kernels[t].bytecode());
            }
        }
        RowGroups groups = ROW_GROUPS ? RowGroups.find(this.steps, escaping(graph, this.steps), readers(this.steps))
                : RowGroups.none(this.steps.size());
        rowGroups = groups;
        groupEnd = groups.end();
        scratch = groups.scratch();
        int[] groupStart = new int[steps.size()], groupLast = new int[steps.size()];
        for (int t = 0; t < steps.size(); t++) {
            int e = groupEnd[t];
            for (int u = t; u < e; u++) {
                groupStart[u] = t;
                groupLast[u] = e - 1;
            }
            t = e - 1;
        }
        buffers = new BufferPlan(graph, steps, groupStart, groupLast);
        targets = new OutputTargets(graph, this.steps);
        constants = new Tensor[graph.nodes().size()];
        for (Node n : graph.nodes()) if (n.isConstant()) constants[index.get(n)] = dense(n.constant());
        compileNanos = System.nanoTime() - start;
    }

    public List<PlanStep> steps() { return steps; }

    /** Which steps run together row by row, and which results live in a scratch row. */
    public RowGroups rowGroups() { return rowGroups; }

    /** True when every variable still has the shape and dtype it was traced with. */
    public boolean variablesMatch() {
        for (Node n : graph.nodes()) {
            if (n.kind() != Node.Kind.VARIABLE) continue;
            Tensor now = graph.variables().get(n.inputIndex()).stored();
            if (!now.shape().equals(n.shape()) || now.dtype() != n.dtype()) return false;
        }
        return true;
    }
    public Graph graph() { return graph; }

    /** Kernels whose classes were generated for this program (not found in the shared cache). */
    public int freshKernels() {
        int c = 0;
        for (CpuKernel k : kernels) if (k != null && k.fresh()) c++;
        return c;
    }

    /** Number of generated-kernel steps. */
    public int kernelCount() {
        int c = 0;
        for (CpuKernel k : kernels) if (k != null) c++;
        return c;
    }

    /** Time spent building this program (code generation and loading included), in nanoseconds. */
    public long compileNanos() { return compileNanos; }

    /**
     * Runs the program on {@code args} and the current values of the graph's variables; stores the
     * variable writes back and returns the outputs.
     */
    public Tensor[] run(Tensor[] args) {
        return run(args, null);
    }

    /**
     * Runs like {@link #run(Tensor[])}, writing the outputs into {@code into} (one contiguous CPU
     * tensor per output, of its shape and dtype; see {@link OutputTargets}) when it is not null.
     * Returns {@code into} then.
     */
    public Tensor[] run(Tensor[] args, Tensor[] into) {
        boolean[] direct = null;
        Object[] provided = null;
        if (into != null) {
            OutputTargets.check(graph, into);
            direct = new boolean[into.length];
            provided = targets.arrays(steps.size(), into, args, graph.variables(), direct);
        }
        Tensor[] env = new Tensor[index.size()];
        for (Node n : graph.nodes()) {
            switch (n.kind()) {
                case ARGUMENT -> env[index.get(n)] = dense(args[n.inputIndex()]);
                case VARIABLE -> env[index.get(n)] = dense(graph.variables().get(n.inputIndex()).stored());
                case CONSTANT -> env[index.get(n)] = constants[index.get(n)];
                default -> { }
            }
        }
        Object[] arena = buffers.slots() == 0 ? null : arenas.poll();
        if (arena == null && buffers.slots() > 0) arena = new Object[buffers.slots()];
        boolean debug = Debug.level() >= 1;
        try {
            for (int t = 0; t < steps.size(); t++) {
                long start = debug ? System.nanoTime() : 0;
                PlanStep s = steps.get(t);
                if (groupEnd[t] > t + 1) {
                    runRowGroup(t, groupEnd[t], env, arena, provided);
                    if (debug) {
                        StringBuilder names = new StringBuilder();
                        for (int u = t; u < groupEnd[t]; u++) names.append(u > t ? " + " : "").append(stepName(steps.get(u)));
                        System.err.printf("[javelin-jit] %-40s %-7s %s  %.1f us (one pass over rows)%n", names, s.node().dtype(),
                                steps.get(groupEnd[t] - 1).node().shape(), (System.nanoTime() - start) / 1e3);
                    }
                    t = groupEnd[t] - 1;
                    continue;
                }
                env[index.get(s.node())] = switch (s) {
                    case PlanStep.Kernel k -> runKernel(t, k, env, arena, provided);
                    case PlanStep.Backend b -> Gemm.handles(b.node()) ? runGemm(t, b.node(), env, arena, provided)
                            : EagerEngine.INSTANCE.execute(b.node().call(inputs(b.node(), env)));
                    case PlanStep.View v -> EagerEngine.INSTANCE.execute(v.node().call(inputs(v.node(), env)));
                };
                if (debug && !(s instanceof PlanStep.View)) {
                    System.err.printf("[javelin-jit] %-40s %-7s %s  %.1f us%n", stepName(s), s.node().dtype(), s.node().shape(),
                            (System.nanoTime() - start) / 1e3);
                }
            }
        } finally {
            if (arena != null) arenas.offer(arena);
        }
        Tensor[] out = new Tensor[graph.outputs().size()];
        for (int i = 0; i < out.length; i++) out[i] = env[index.get(graph.outputs().get(i))];
        graph.variableWrites().forEach((v, node) -> {
            Variable var = graph.variables().get(v);
            var.store(env[index.get(node)]);
        });
        if (into == null) return out;
        OutputTargets.copyRest(out, into, direct);
        return into;
    }

    /**
     * Copies results computed without a program (eagerly) into {@code into}, with the checks of
     * {@link #run(Tensor[], Tensor[])}. Returns {@code into}.
     */
    public static Tensor[] copyInto(Tensor[] results, Tensor[] into) {
        OutputTargets.check(results, into);
        OutputTargets.copyRest(results, into, new boolean[into.length]);
        return into;
    }

    /** Values that leave the program: outputs, variable writes, and what they are run-time views of. */
    private static java.util.Set<Node> escaping(Graph graph, List<PlanStep> steps) {
        java.util.Set<Node> views = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (PlanStep s : steps) if (s instanceof PlanStep.View v) views.add(v.node());
        java.util.Set<Node> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node r : graph.roots()) {
            Node c = r;
            out.add(c);
            while (views.contains(c)) {
                c = c.input(0);
                out.add(c);
            }
        }
        return out;
    }

    /** For each value, the steps that read it. */
    private static Map<Node, List<Integer>> readers(List<PlanStep> steps) {
        Map<Node, List<Integer>> r = new IdentityHashMap<>();
        for (int t = 0; t < steps.size(); t++) {
            for (Node n : BufferPlan.reads(steps.get(t))) r.computeIfAbsent(n, k -> new ArrayList<>()).add(t);
        }
        return r;
    }

    /** A step's name for logs: the kernel name, or the backend op with its shapes. */
    public static String stepName(PlanStep s) {
        return switch (s) {
            case PlanStep.Kernel k -> k.ir().name();
            case PlanStep.Backend b -> "B_" + b.node().op().label();
            case PlanStep.View v -> "V_" + v.node().op().label();
        };
    }

    private Tensor runKernel(int t, PlanStep.Kernel k, Tensor[] env, Object[] arena, Object[] provided) {
        Object[] arrays = new Object[k.leaves().size() + 1];
        int[] base = new int[arrays.length];
        Tensor out = bind(t, k, env, arena, provided, arrays, base);
        kernels[t].run(arrays, base);
        return out;
    }

    private void runRowGroup(int from, int to, Tensor[] env, Object[] arena, Object[] provided) {
        int m = to - from;
        Object[][] arrays = new Object[m][];
        int[][] base = new int[m][];
        CpuKernel[] members = new CpuKernel[m];
        for (int i = 0; i < m; i++) {
            PlanStep.Kernel k = (PlanStep.Kernel) steps.get(from + i);
            arrays[i] = new Object[k.leaves().size() + 1];
            base[i] = new int[arrays[i].length];
            env[index.get(k.node())] = bind(from + i, k, env, arena, provided, arrays[i], base[i]);
            members[i] = kernels[from + i];
        }
        CpuKernel.runRowGroup(members, arrays, base, java.util.Arrays.copyOfRange(scratch, from, to));
    }

    private Tensor runGemm(int t, Node node, Tensor[] env, Object[] arena, Object[] provided) {
        float[] out = (float[]) output(t, node, arena, provided);
        Gemm.run(env[index.get(node.input(0))], env[index.get(node.input(1))], out);
        return Tensor.wrap(HeapStorage.wrap(out), node.shape(), node.shape().contiguousStrides(), 0);
    }

    /**
     * The memory step {@code t} writes: a planned reusable buffer, the caller's array for an output
     * it supplied, or a fresh array for values that leave the program.
     */
    private Object output(int t, Node node, Object[] arena, Object[] provided) {
        if (provided != null && provided[t] != null) return provided[t];
        int slot = buffers.slotOfStep[t];
        if (slot < 0) return HeapStorage.allocate(node.dtype(), Math.toIntExact(node.size())).array();
        Object out = arena[slot];
        if (out == null) out = arena[slot] = HeapStorage.allocate(buffers.slotTypes.get(slot), buffers.slotSizes.get(slot)).array();
        return out;
    }

    /** Fills a kernel's arrays and offsets from the values it reads, and allocates its output. */
    private Tensor bind(int t, PlanStep.Kernel k, Tensor[] env, Object[] arena, Object[] provided, Object[] arrays, int[] base) {
        List<Node> leaves = k.leaves();
        for (int s = 0; s < leaves.size(); s++) {
            Tensor in = env[index.get(leaves.get(s))];
            arrays[s] = ((HeapStorage) in.storage()).array();
            base[s] = in.offset();
        }
        Node node = k.node();
        Object out = output(t, node, arena, provided);
        arrays[leaves.size()] = out;
        HeapStorage storage = HeapStorage.wrap(out);
        return Tensor.wrap(storage, node.shape(), node.shape().contiguousStrides(), 0);
    }

    private static List<Tensor> inputs(Node n, Tensor[] env, Map<Node, Integer> index) {
        List<Tensor> in = new ArrayList<>(n.inputs().size());
        for (Node i : n.inputs()) in.add(env[index.get(i)]);
        return in;
    }

    private List<Tensor> inputs(Node n, Tensor[] env) {
        return inputs(n, env, index);
    }

    /** {@code t} itself when dense from its offset, else a dense copy (kernels read inputs densely). */
    static Tensor dense(Tensor t) {
        if (t.isContiguous() && (t.storage() instanceof HeapStorage || !t.device().equals(dev.javelin.tensor.Device.CPU))) return t;
        return EagerEngine.INSTANCE.execute(new OpCall(Op.CONTIGUOUS, List.of(t), OpAttrs.NONE, t.shape(), t.dtype(), t.device()));
    }

    /** For tests: the dtype of each reusable buffer. */
    List<DType> bufferTypes() {
        return buffers.slotTypes;
    }
}
