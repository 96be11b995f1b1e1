package dev.javelin.jit.runtime;

import dev.javelin.jit.cpu.CpuKernel;
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
    private final Graph graph;
    private final List<PlanStep> steps;
    private final CpuKernel[] kernels;
    private final Map<Node, Integer> index = new IdentityHashMap<>();
    private final BufferPlan buffers;
    private final ConcurrentLinkedQueue<Object[]> arenas = new ConcurrentLinkedQueue<>();
    private final Tensor[] constants;
    private final long compileNanos;

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
        buffers = new BufferPlan(graph, steps);
        constants = new Tensor[graph.nodes().size()];
        for (Node n : graph.nodes()) if (n.isConstant()) constants[index.get(n)] = dense(n.constant());
        compileNanos = System.nanoTime() - start;
    }

    public List<PlanStep> steps() { return steps; }

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
                env[index.get(s.node())] = switch (s) {
                    case PlanStep.Kernel k -> runKernel(t, k, env, arena);
                    case PlanStep.Backend b -> EagerEngine.INSTANCE.execute(b.node().call(inputs(b.node(), env)));
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
        return out;
    }

    /** A step's name for logs: the kernel name, or the backend op with its shapes. */
    public static String stepName(PlanStep s) {
        return switch (s) {
            case PlanStep.Kernel k -> k.ir().name();
            case PlanStep.Backend b -> "B_" + b.node().op().label();
            case PlanStep.View v -> "V_" + v.node().op().label();
        };
    }

    private Tensor runKernel(int t, PlanStep.Kernel k, Tensor[] env, Object[] arena) {
        List<Node> leaves = k.leaves();
        Object[] arrays = new Object[leaves.size() + 1];
        int[] base = new int[arrays.length];
        for (int s = 0; s < leaves.size(); s++) {
            Tensor in = env[index.get(leaves.get(s))];
            arrays[s] = ((HeapStorage) in.storage()).array();
            base[s] = in.offset();
        }
        Node node = k.node();
        int size = Math.toIntExact(node.size());
        int slot = buffers.slotOfStep[t];
        Object out;
        if (slot < 0) {
            out = HeapStorage.allocate(node.dtype(), size).array();
        } else {
            out = arena[slot];
            if (out == null) out = arena[slot] = HeapStorage.allocate(buffers.slotTypes.get(slot), buffers.slotSizes.get(slot)).array();
        }
        arrays[leaves.size()] = out;
        kernels[t].run(arrays, base);
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
