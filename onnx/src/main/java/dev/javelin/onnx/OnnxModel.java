package dev.javelin.onnx;

import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.jit.JitOptions;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.SymbolicEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model (opsets 13 to 17) as a compiled Javelin function over its named inputs and outputs.
 * The graph's nodes map onto Javelin ops; the JIT traces, fuses and generates code for the whole
 * graph on the first call, as for any traced function. A symbolic first dimension
 * ({@code batch_size}) is served from power-of-two batch buckets, so new batch sizes do not
 * recompile each time.
 *
 * <pre>{@code
 * OnnxModel model = OnnxModel.load(Path.of("mlp.onnx"));
 * Tensor logits = model.call(Tensors.normal(Shape.of(8, 784), 1))[0];
 * Map<String, Tensor> out = model.run(Map.of("input", x));       // by name
 * }</pre>
 *
 * Loading checks the whole file: protobuf structure, opset, every operator (an unsupported one is an
 * {@link UnsupportedOperatorException} naming the node), every initializer's data, and the shapes of
 * every value for the declared input shapes (symbolic dimensions taken as 1 and as 7; those after the batch axis also
 * at 64 and 512 where a window needs a longer input), so a malformed file
 * fails at {@code load} with an {@link OnnxFormatException}, not later.
 */
public final class OnnxModel {
    /** A value larger than this (elements) at the load-time check, with symbolic dimensions at 1, is refused. */
    static final long MAX_CHECKED_ELEMENTS = 1L << 28;

    private final OnnxGraph graph;
    private final GraphEvaluator evaluator;
    private final CompiledFunction function;
    private final String source;

    private OnnxModel(OnnxGraph graph, String source) {
        this.graph = graph;
        this.source = source;
        this.evaluator = new GraphEvaluator(FusedGraph.of(graph));
        boolean dynamicBatch = false;
        for (ValueInfo in : graph.inputs()) dynamicBatch |= in.dims().length > 0 && in.isDynamic(0);
        this.function = Jit.compile(evaluator::run, dynamicBatch ? JitOptions.dynamicBatch() : JitOptions.defaults());
    }

    /**
     * Reads and checks the model at {@code file}; external data files are read from its folder and
     * may not lie outside it.
     *
     * @throws OnnxFormatException the file is not a model Javelin can run (the message says why)
     * @throws IOException         the file cannot be read
     */
    public static OnnxModel load(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) {
            throw new OnnxFormatException(file + ": " + size + " bytes; a model file over 2 GB must keep its weights in external data files");
        }
        byte[] bytes = Files.readAllBytes(file);
        Path dir = file.toAbsolutePath().getParent();
        return fromGraph(ModelReader.read(bytes, dir, file.toString()), file.toString(), MAX_CHECKED_ELEMENTS);
    }

    /** Reads and checks a model from memory (external data is refused: there is no folder to read it from). */
    public static OnnxModel load(byte[] bytes, String name) throws OnnxFormatException {
        return load(bytes, name, MAX_CHECKED_ELEMENTS);
    }

    /** As {@link #load(byte[], String)} with a smaller bound on values at the load-time check (the fuzz test's). */
    static OnnxModel load(byte[] bytes, String name, long maxElements) throws OnnxFormatException {
        return fromGraph(ModelReader.read(bytes, null, name), name, maxElements);
    }

    private static OnnxModel fromGraph(OnnxGraph graph, String source, long maxElements) throws OnnxFormatException {
        OnnxModel model = new OnnxModel(graph, source);
        model.checkShapes(maxElements);
        return model;
    }

    /** Sizes tried for the symbolic dimensions after the batch axis when a probe's own size is too small for the graph. */
    private static final int[] LONGER_PROBES = {64, 512};

    /**
     * Runs the graph on shapes only, so a file whose shapes do not fit together fails at load: once
     * with every symbolic dimension at 1 and, when there are symbolic dimensions, once at 7 (a size
     * that broadcasts with nothing by accident). A symbolic dimension after the batch axis (a sequence
     * length, an image side) may need a minimum size (a convolution's window, a pooling of 3): where the
     * probe fails, those dimensions are tried at 64 and 512 with the batch kept at the probe, and the
     * file is refused only when every size fails.
     */
    private void checkShapes(long maxElements) throws OnnxFormatException {
        boolean symbolicDims = false, symbolicLengths = false;
        for (ValueInfo in : graph.inputs()) {
            int[] dims = in.dims();
            for (int d = 0; d < dims.length; d++) {
                symbolicDims |= dims[d] < 0;
                symbolicLengths |= d > 0 && dims[d] < 0;
            }
        }
        for (int probe : symbolicDims ? new int[] {1, 7} : new int[] {1}) {
            RuntimeException failure = null;
            String tried = "";
            for (int length : symbolicLengths ? new int[] {probe, LONGER_PROBES[0], LONGER_PROBES[1]} : new int[] {probe}) {
                try {
                    evaluateShapes(probe, length, maxElements);
                    failure = null;
                    break;
                } catch (RuntimeException e) {
                    failure = e;
                    tried = length == probe ? "" : tried.isEmpty() ? "; those after the batch axis also at " + length : tried + " and " + length;
                }
            }
            if (failure != null) {
                throw new OnnxFormatException(source + (symbolicDims ? " (with its symbolic dimensions at " + probe + tried + ")" : "")
                        + ": " + failure.getMessage(), failure);
            }
        }
    }

    /** The graph on symbolic inputs: a symbolic batch axis at {@code batch}, any other symbolic dimension at {@code length}. */
    private void evaluateShapes(int batch, int length, long maxElements) {
        Tensor[] symbolic = new Tensor[graph.inputs().size()];
        for (int i = 0; i < symbolic.length; i++) {
            ValueInfo in = graph.inputs().get(i);
            int[] dims = in.dims();
            for (int d = 0; d < dims.length; d++) if (dims[d] < 0) dims[d] = d == 0 ? batch : length;
            symbolic[i] = Tensor.symbolic(Shape.of(dims), in.dtype(), Device.CPU, null);
        }
        try (Dispatch.Scope s = Dispatch.use(new SymbolicEngine())) {
            evaluator.run(symbolic, maxElements);
        }
    }

    /** The inputs a caller supplies, in call order. */
    public List<ValueInfo> inputs() {
        return graph.inputs();
    }

    /** The outputs, in the order {@link #call} returns them. */
    public List<ValueInfo> outputs() {
        return graph.outputs();
    }

    /** The checked graph: nodes, initializers, opset. */
    public OnnxGraph graph() {
        return graph;
    }

    /** The compiled function behind {@link #call} (for {@code callInto}, recompilation reasons, statistics). */
    public CompiledFunction function() {
        return function;
    }

    /**
     * The graph as a functional Keras-like {@link dev.javelin.highlevel.Model} of Javelin layers (Conv2D,
     * Dense, LayerNormalization, ...; nodes without a layer become {@link OnnxOpLayer}s), with the
     * file's weights: summarise it, fine-tune it with {@code fit}, save it. Inputs keep the file's
     * layout (channels-first); the batch axis and other symbolic dimensions (a sequence length) take
     * any size ({@code InputLayer.ANY}), or the size {@link #toModel(Map)} gives them.
     *
     * <pre>{@code
     * Model m = OnnxModel.load(Path.of("convnet.onnx")).toModel();
     * m.summary();
     * m.compile("adam", "sparse_categorical_crossentropy");
     * m.fit(x, y, 32, 3);
     * }</pre>
     *
     * @throws IllegalArgumentException a node cannot become a layer (the message names it)
     */
    public dev.javelin.highlevel.Model toModel() {
        return toModel(Map.of());
    }

    /**
     * As {@link #toModel()}, with a size for symbolic dimensions after the batch axis, by the file's
     * name for them (the others take any size): the summary then shows that size, and inputs must have it.
     *
     * <pre>{@code
     * Model m = OnnxModel.load(Path.of("decoder.onnx")).toModel(Map.of("sequence", 12));   // ids [batch, 12]
     * }</pre>
     */
    public dev.javelin.highlevel.Model toModel(Map<String, Integer> sizes) {
        return ModelConversion.convert(graph, source, sizes);
    }

    /** Registers {@link OnnxOpLayer} with {@code LayerRegistry}, so {@code Model.load} reads models saved from {@link #toModel()}. */
    public static void registerLayers() {
        dev.javelin.highlevel.LayerRegistry.register("OnnxOpLayer", OnnxOpLayer::fromConfig);
    }

    static {
        registerLayers();
    }

    /** Runs the compiled model on inputs given in {@link #inputs()} order; returns the outputs in {@link #outputs()} order. */
    public Tensor[] call(Tensor... inputs) {
        check(inputs);
        return function.call(inputs);
    }

    /** Runs the compiled model on inputs by name; returns the outputs by name, in the graph's order. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Tensor[] args = new Tensor[graph.inputs().size()];
        for (int i = 0; i < args.length; i++) {
            String name = graph.inputs().get(i).name();
            args[i] = inputs.get(name);
            if (args[i] == null) throw new IllegalArgumentException(source + ": input '" + name + "' is missing; the model takes " + graph.inputs());
        }
        for (String name : inputs.keySet()) {
            if (graph.inputs().stream().noneMatch(v -> v.name().equals(name))) {
                throw new IllegalArgumentException(source + ": the model has no input '" + name + "'; it takes " + graph.inputs());
            }
        }
        Tensor[] out = call(args);
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int i = 0; i < out.length; i++) named.put(graph.outputs().get(i).name(), out[i]);
        return named;
    }

    /**
     * Runs the graph's ops on the thread's engine, without compiling: op by op outside a trace, or
     * traced into the caller's own function inside {@code Jit.compile}.
     */
    public Tensor[] apply(Tensor... inputs) {
        check(inputs);
        return evaluator.run(inputs);
    }

    private void check(Tensor[] inputs) {
        List<ValueInfo> declared = graph.inputs();
        if (inputs.length != declared.size()) {
            throw new IllegalArgumentException(source + ": expected " + declared.size() + " inputs " + declared + ", got " + inputs.length);
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            ValueInfo v = declared.get(i);
            Tensor t = inputs[i];
            int[] dims = v.dims();
            boolean ok = t != null && t.dtype() == v.dtype() && t.rank() == dims.length;
            for (int d = 0; ok && d < dims.length; d++) ok = dims[d] < 0 || dims[d] == t.dim(d);
            if (!ok) problems.add("input '" + v.name() + "' expects " + v + ", got " + (t == null ? "null" : t.dtype() + " " + t.shape()));
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException(source + ": " + String.join("; ", problems));
    }

    @Override
    public String toString() {
        return "OnnxModel(" + source + ", opset " + graph.opset() + ", " + graph.nodes().size() + " nodes, inputs " + graph.inputs()
                + ", outputs " + graph.outputs() + ")";
    }
}
