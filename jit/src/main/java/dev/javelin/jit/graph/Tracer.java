package dev.javelin.jit.graph;

import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.Engine;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The tracing engine: while a function runs under it, every primitive op becomes a {@link Node}
 * and every result is a symbolic tensor tagged with its node. Concrete tensors met on the way are
 * captured as constants; variable reads become program inputs (read fresh at each call) and
 * variable writes become program outputs. Observers (a gradient tape) still see every op, with
 * symbolic tensors, so a backward pass recorded inside the function is traced too.
 *
 * <pre>{@code
 * Graph g = Tracer.trace(args -> new Tensor[] {args[0].relu()}, x);
 * }</pre>
 */
public final class Tracer implements Engine {
    private final Graph graph = new Graph();
    private final Map<Tensor, Node> constants = new IdentityHashMap<>();
    private final Map<Variable, Tensor> variableValues = new IdentityHashMap<>();

    private Tracer() {}

    /** Runs {@code fn} on symbolic stand-ins of {@code args} and returns the recorded graph. */
    public static Graph trace(Function<Tensor[], Tensor[]> fn, Tensor... args) {
        Tracer t = new Tracer();
        Tensor[] symbolic = new Tensor[args.length];
        for (int i = 0; i < args.length; i++) {
            Node n = t.graph.argument(i, args[i].shape(), args[i].dtype(), args[i].device());
            symbolic[i] = Tensor.symbolic(n.shape(), n.dtype(), n.device(), n);
        }
        Tensor[] results;
        try (Dispatch.Scope s = Dispatch.use(t)) {
            results = apply(fn, symbolic);
        }
        if (results == null) throw new IllegalArgumentException("Jit: the traced function returned null; return an empty array instead");
        for (Tensor r : results) {
            if (r == null) throw new IllegalArgumentException("Jit: the traced function returned a null tensor");
            t.graph.outputs().add(t.nodeOf(r));
        }
        return t.graph;
    }

    /**
     * {@code fn.apply(args)}, where a function that indexes past its arguments ({@code a[2]} when
     * called with two) gets an error that says so, naming the function (its method, file and line),
     * the number of arguments given and the index used, instead of a bare
     * ArrayIndexOutOfBoundsException. Recognised as an index past an array of exactly the arguments'
     * length, thrown by the function's own body (the frame this method called); any other exception
     * passes through unchanged.
     */
    public static Tensor[] apply(Function<Tensor[], Tensor[]> fn, Tensor[] args) {
        try {
            return fn.apply(args);
        } catch (ArrayIndexOutOfBoundsException e) {
            String index = argumentIndex(e, args.length);
            if (index == null) throw e;
            StackTraceElement at = e.getStackTrace()[0];
            throw new IllegalArgumentException("Jit: the compiled function " + at.getClassName() + "." + at.getMethodName()
                    + (at.getFileName() != null ? " (" + at.getFileName() + ":" + at.getLineNumber() + ")" : "")
                    + " reads argument " + index + " but was called with " + args.length + " argument" + (args.length == 1 ? "" : "s")
                    + (args.length > 0 ? " (indices 0 to " + (args.length - 1) + ")" : "") + "; pass every tensor it reads to call()", e);
        }
    }

    /** The index {@code e} names when the function's own body indexed past its {@code arity} arguments, else null. */
    private static String argumentIndex(ArrayIndexOutOfBoundsException e, int arity) {
        String message = e.getMessage(), suffix = " out of bounds for length " + arity;
        if (message == null || !message.startsWith("Index ") || !message.endsWith(suffix)) return null;
        StackTraceElement[] frames = e.getStackTrace();
        int caller = 1;
        while (caller < frames.length && frames[caller].getClassName().contains("$$Lambda")) caller++; // a lambda's own proxy frame, when shown
        if (caller >= frames.length || !frames[caller].getClassName().equals(Tracer.class.getName())
                || !frames[caller].getMethodName().equals("apply")) {
            return null;
        }
        return message.substring("Index ".length(), message.length() - suffix.length());
    }

    @Override
    public Tensor execute(OpCall call) {
        List<Node> in = new ArrayList<>(call.inputs().size());
        for (Tensor x : call.inputs()) in.add(nodeOf(x));
        Node n = graph.op(call.op(), in, call.attrs(), call.shape(), call.dtype(), call.device());
        return symbolicOf(n);
    }

    @Override
    public Tensor read(Variable v) {
        return variableValues.computeIfAbsent(v, k -> symbolicOf(graph.variable(k, k.device())));
    }

    @Override
    public void assign(Variable v, Tensor value) {
        Tensor current = read(v); // registers v as an input even when it is only written
        Node target = nodeOf(value);
        int index = ((Node) current.symbol()).kind() == Node.Kind.VARIABLE
                ? ((Node) current.symbol()).inputIndex() : graph.variables().indexOf(v);
        graph.variableWrites().put(index, target);
        variableValues.put(v, value.isSymbolic() ? value : symbolicOf(target));
    }

    private static Tensor symbolicOf(Node n) {
        return Tensor.symbolic(n.shape(), n.dtype(), n.device(), n);
    }

    /** The node behind {@code t}: its tag when traced here, else a constant capturing it. */
    private Node nodeOf(Tensor t) {
        if (t.isSymbolic()) {
            if (t.symbol() instanceof Node n && graph.owns(n)) return n;
            throw new IllegalArgumentException("Jit: a symbolic tensor " + t.dtype() + t.shape()
                    + " that was not made inside the traced function reached it (capture concrete tensors, not symbolic ones)");
        }
        return constants.computeIfAbsent(t, graph::constant);
    }
}
