package dev.javelin.onnx;

import dev.javelin.highlevel.Input;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.layers.FreeDimensions;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.EagerEngine;
import dev.javelin.tensor.spi.SymbolicEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph as a functional Keras-like {@link Model} ({@link OnnxModel#toModel()}). Each node is
 * one of four kinds, decided in the file's order:
 * <ul>
 * <li>a node whose inputs are all constants runs now (folded);
 * <li>shape arithmetic on computed values ({@code Shape}, {@code Size}, and nodes whose inputs are
 *     constants or shape arithmetic: {@code Shape -> Gather -> Concat}, a causal mask from the
 *     sequence length) becomes no layer of its own: every layer that reads it holds it
 *     ({@link OnnxOpLayer}), so it is computed from the shapes each call brings;
 * <li>a node with a Javelin layer of the same meaning becomes that layer ({@link LayerMapping}:
 *     Conv2D, Dense, BatchNormalization, LayerNormalization, Activation, Flatten, Add; {@link RecurrentMapping}:
 *     LSTM, GRU, SimpleRNN, Bidirectional; {@link AttentionMapping}: MultiHeadAttention), the file's
 *     weights copied in;
 * <li>any other node becomes an {@link OnnxOpLayer} running the node's operator, the file's float
 *     initializers it computes with as trainable weights.
 * </ul>
 * A file exported with a fixed batch is first freed of it ({@link FixedBatch}), and a weight the file
 * ties (an embedding that is also the LM head, {@link TiedWeights}) becomes one weight every reader shares.
 * The result trains with {@code fit} and saves like any model.
 */
final class ModelConversion {
    private final OnnxGraph graph;
    private final String source;
    private final Map<String, Integer> sizes;
    /** Initializers and folded values, by name. */
    final Map<String, Tensor> constants = new HashMap<>();
    /** The constants that are the model's parameters: float initializers, and float values folded from them. */
    private final Set<String> parameters = new HashSet<>();
    /** Computed values (Keras tensors), by name. */
    private final Map<String, Tensor> values = new HashMap<>();
    /** Shape arithmetic on computed values: the node that makes each such value. */
    private final Map<String, OnnxNode> shapeArithmetic = new HashMap<>();
    /** Nodes a mapping took in with an earlier node (the bias Add of a Linear layer). */
    final Set<OnnxNode> absorbed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    /** The nodes that read each value, in order (a node reading it twice appears twice). */
    private final Map<String, List<OnnxNode>> readers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private final Map<OnnxNode, Integer> index = new IdentityHashMap<>();
    /** The node that makes each value. */
    private final Map<String, OnnxNode> producers = new HashMap<>();
    /** The model's first input, which a layer holding a shared weight reads only to have a place in the graph. */
    private Tensor anchor;
    private String anchorName;
    /** Time-major values [T, B, F] whose batch-first [B, T, F] a recurrent layer already gives ({@link RecurrentMapping}). */
    private final Map<String, Tensor> batchFirst = new HashMap<>();

    private ModelConversion(OnnxGraph graph, String source, Map<String, Integer> sizes) {
        this.graph = graph;
        this.source = source;
        this.sizes = Map.copyOf(sizes);
        constants.putAll(graph.initializers());
        graph.initializers().forEach((k, v) -> { if (v.dtype().isFloating()) parameters.add(k); });
        for (int i = 0; i < graph.nodes().size(); i++) {
            OnnxNode n = graph.nodes().get(i);
            index.put(n, i);
            for (String in : n.inputs()) if (!in.isEmpty()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            for (String out : n.outputs()) if (!out.isEmpty()) producers.put(out, n);
        }
        for (ValueInfo v : graph.outputs()) graphOutputs.add(v.name());
    }

    /** {@code sizes}: a size for each symbolic dimension after the batch axis, by the file's name for it. */
    static Model convert(OnnxGraph graph, String source, Map<String, Integer> sizes) {
        return new ModelConversion(FixedBatch.free(graph, source), source, sizes).build();
    }

    private Model build() {
        requireBatchFirst();
        List<Tensor> inputs = new ArrayList<>();
        for (ValueInfo in : graph.inputs()) {
            Tensor t = Input.of(sampleShape(in), in.dtype(), in.name());
            inputs.add(t);
            values.put(in.name(), t);
        }
        if (!inputs.isEmpty()) tie(inputs.get(0), graph.inputs().get(0).name()); // (no inputs: refused below, the outputs are constants)
        Set<OnnxNode> folded = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (OnnxNode node : graph.nodes()) { // first, so that a mapping sees every constant a run of nodes reads
            if (readsOnlyConstants(node)) {
                fold(node);
                folded.add(node);
            }
        }
        try {
            for (OnnxNode node : graph.nodes()) if (!folded.contains(node)) convert(node);
        } catch (IllegalArgumentException e) {
            String hint = anySizeHint();
            if (hint == null) throw e;
            throw new IllegalArgumentException(e.getMessage() + hint, e);
        }
        List<Tensor> outputs = new ArrayList<>();
        for (ValueInfo out : graph.outputs()) {
            Tensor t = values.get(out.name());
            if (t == null && shapeArithmetic.containsKey(out.name())) t = generic(shapeArithmetic.get(out.name()), out.name());
            if (t == null) throw new IllegalArgumentException(source + ": output '" + out.name() + "' is a constant; toModel needs outputs computed from the inputs");
            outputs.add(t);
        }
        return new Model(inputs, outputs, "onnx_model");
    }

    /**
     * Each tied weight ({@link TiedWeights}) becomes one trainable weight of a layer of its own, whose
     * output (the weight) every node that reads it takes as an input, and its transposed copies become
     * small layers transposing that output: fine-tuning then updates one variable with the gradients of
     * every use, as PyTorch does. The layer reads the model's first input ({@code anyInput}) only to
     * have a place in the graph.
     */
    private void tie(Tensor anyInput, String anyInputName) {
        anchor = anyInput;
        anchorName = anyInputName;
        TiedWeights.find(graph).forEach(this::share);
    }

    /**
     * {@code weight} (and its transposed copies) as one trainable weight of a layer of its own, whose
     * output every node that reads it takes as an input.
     */
    private void share(String weight, List<String> transposed) {
        Tensor w = constants.remove(weight);
        parameters.remove(weight);
        String out = weight + "/tied";
        OnnxNode identity = new OnnxNode(out, "Identity", List.of(weight), List.of(out), Map.of());
        String name = "onnx_tied_" + weight.replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_+|_+$", "").toLowerCase(java.util.Locale.ROOT);
        OnnxOpLayer layer = new OnnxOpLayer(name, graph.opset(), List.of(identity), List.of(anchorName),
                Map.of(weight, OnnxOpLayer.constant(w, true, false)), out);
        layer.ensureBuilt(List.of(anchor.shape()));
        layer.assignConstants();
        values.put(weight, layer.apply(List.of(anchor), false));
        for (String copy : transposed) {
            constants.remove(copy);
            parameters.remove(copy);
            values.put(copy, synthesized(name + "_transposed", List.of(RecurrentMapping.transpose(weight, copy, 1, 0)), List.of(weight),
                    List.of(values.get(weight)), Map.of(), copy));
        }
    }

    /**
     * A node that converts to one layer per output read (an LSTM whose Y, Y_h and Y_c are all used) would
     * give each layer its own copy of the weights it computes with: three times PyTorch's parameters, and
     * fine-tuning would train three diverging copies. Those weights are shared instead, as tied ones are.
     * Scalars stay constants of each layer (an operator may read them as numbers).
     */
    private void shareParameters(OnnxNode node) {
        for (String in : new LinkedHashSet<>(node.inputs())) {
            Tensor w = constants.get(in);
            if (parameters.contains(in) && w != null && w.size() > 1) share(in, List.of());
        }
    }

    /**
     * Refuses an input that holds another input's batch (the symbolic dimension on that one's first
     * axis) on a later axis, as an exported recurrent network's initial state [layers, batch, hidden]
     * does: the model's inputs hold the batch on their first axis, so such an input would be taken as
     * a batch of its first axis and fail later (or give rows that do not pair up).
     */
    private void requireBatchFirst() {
        Map<String, String> batchOf = new HashMap<>();
        for (ValueInfo in : graph.inputs()) {
            String[] names = in.dimNames();
            if (in.dims() != null && in.dims().length > 0 && in.dims()[0] < 0 && names[0] != null) batchOf.putIfAbsent(names[0], in.name());
        }
        for (ValueInfo in : graph.inputs()) {
            for (int d = 1; in.dims() != null && d < in.dims().length; d++) {
                String name = in.dimNames()[d], owner = name == null ? null : batchOf.get(name);
                if (owner != null && in.dims()[d] < 0 && !name.equals(in.dimNames()[0])) {
                    throw new IllegalArgumentException(source + ": toModel: input " + in + " holds the batch '" + name
                            + "' (the first axis of input '" + owner + "') at axis " + d + "; expected the batch on the first axis of every"
                            + " input: export this input batch-first, or run the file with OnnxModel.load");
                }
            }
        }
    }

    /**
     * The input's dimensions after the batch axis: a symbolic one at its size in {@link #sizes}, or
     * else of any size ({@link InputLayer#ANY}).
     */
    private int[] sampleShape(ValueInfo in) {
        int[] dims = in.dims();
        if (dims == null || dims.length == 0) {
            throw new IllegalArgumentException(source + ": toModel needs inputs with a batch axis, '" + in.name() + "' is "
                    + (dims == null ? "of unknown shape" : "a scalar"));
        }
        int[] sample = Arrays.copyOfRange(dims, 1, dims.length);
        for (int d = 0; d < sample.length; d++) {
            if (sample[d] >= 0) continue;
            String name = in.dimNames()[d + 1];
            Integer size = name == null ? null : sizes.get(name);
            if (size != null && size < 1) {
                throw new IllegalArgumentException(source + ": toModel: the size of '" + name + "' (input " + in + ", axis " + (d + 1)
                        + ") must be >= 1, got " + size);
            }
            sample[d] = size == null ? InputLayer.ANY : size;
        }
        return sample;
    }

    /**
     * Why a conversion may fail on a symbolic dimension after the batch axis that got no size: it is
     * traced at a placeholder of 1, then at {@link FreeDimensions}' few larger sizes, which windows (a
     * convolution's, a pooling's) may not fit. Null when every such dimension has a size.
     */
    private String anySizeHint() {
        for (ValueInfo in : graph.inputs()) {
            int[] dims = in.dims();
            for (int d = 1; dims != null && d < dims.length; d++) {
                String name = in.dimNames()[d];
                if (dims[d] < 0 && (name == null || !sizes.containsKey(name))) {
                    return "; note: input '" + in.name() + "' has the symbolic dimension " + (name == null ? "" : "'" + name + "' ")
                            + "at axis " + d + ", which toModel traces at sizes " + Arrays.toString(FreeDimensions.sizes())
                            + " when given no size" + (name == null ? ""
                            : ": give it one with toModel(Map.of(\"" + name + "\", N))") + ", or run the file with OnnxModel.load";
                }
            }
        }
        return null;
    }

    /** True when every input of {@code node} is a constant (or left out), so it runs at conversion. */
    private boolean readsOnlyConstants(OnnxNode node) {
        for (String name : node.inputs()) if (!name.isEmpty() && !constants.containsKey(name)) return false;
        return true;
    }

    private void convert(OnnxNode node) {
        if (absorbed.contains(node)) return;
        List<String> in = node.inputs();
        boolean readsShapeArithmetic = false;
        for (String name : in) readsShapeArithmetic |= shapeArithmetic.containsKey(name);
        boolean shapeOnly = node.opType().equals("Shape") || node.opType().equals("Size");
        if (!shapeOnly && readsShapeArithmetic) {
            shapeOnly = true;
            for (String name : in) shapeOnly &= name.isEmpty() || constants.containsKey(name) || shapeArithmetic.containsKey(name);
        }
        if (shapeOnly) {
            for (String out : node.outputs()) if (!out.isEmpty()) shapeArithmetic.put(out, node);
            return;
        }
        List<String> used = node.outputs().stream().filter(o -> !o.isEmpty() && (graphOutputs.contains(o) || readers.containsKey(o))).toList();
        if (used.isEmpty()) return;
        if (RecurrentMapping.map(this, node, used)) return;
        if (used.equals(List.of(node.outputs().get(0))) && (AttentionMapping.map(this, node) || LayerMapping.map(this, node))) return;
        if (used.size() > 1) shareParameters(node);
        for (String out : used) values.put(out, generic(node, out));
    }

    /** Runs a node whose inputs are all constants now. */
    private void fold(OnnxNode node) {
        List<String> in = node.inputs();
        Tensor[] args = new Tensor[in.size()];
        for (int i = 0; i < args.length; i++) args[i] = in.get(i).isEmpty() ? null : constants.get(in.get(i));
        Tensor[] out;
        try (Dispatch.Scope s = Dispatch.use(EagerEngine.INSTANCE)) {
            out = Operators.find(node.opType()).apply(new NodeContext(node, graph.opset(), args));
        }
        for (int o = 0; o < node.outputs().size() && o < out.length; o++) {
            // an Identity hands back its input; two variables started from one tensor object would share their gradients on the
            // tape (it finds a variable's gradient through the tensors its reads returned), so a folded copy is a tensor of its own
            for (Tensor a : args) if (a == out[o] && a.dtype().isFloating()) out[o] = a.mul(1.0);
            constants.put(node.outputs().get(o), out[o]);
        }
        // a float value folded from a parameter (an Identity copy, a transposed weight) is a parameter of the layers that read it
        if (in.stream().anyMatch(parameters::contains)) {
            for (int o = 0; o < node.outputs().size() && o < out.length; o++) if (out[o].dtype().isFloating()) parameters.add(node.outputs().get(o));
        }
    }

    /** A computed value (a Keras tensor), or null when the name is a constant or shape arithmetic. */
    Tensor value(String name) {
        return values.get(name);
    }

    /** The node that makes {@code value}, or null for an input or initializer. */
    OnnxNode producer(String value) {
        return producers.get(value);
    }

    /**
     * The value of a constant, or of shape arithmetic at the shapes the conversion traces with (the
     * batch and free lengths at their placeholders); null for anything else.
     */
    Tensor evaluate(String name) {
        Tensor k = constants.get(name);
        if (k != null) return k;
        OnnxNode p = shapeArithmetic.get(name);
        if (p == null) return null;
        List<OnnxNode> nodes = new ArrayList<>();
        include(p, nodes, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        Set<String> inputNames = new LinkedHashSet<>();
        Map<String, Tensor> known = new LinkedHashMap<>();
        for (OnnxNode n : nodes) {
            for (String in : n.inputs()) {
                if (values.containsKey(in)) inputNames.add(in);
                else if (constants.containsKey(in)) known.put(in, constants.get(in));
            }
        }
        List<String> inputs = List.copyOf(inputNames);
        try (Dispatch.Scope s = Dispatch.use(new SymbolicEngine())) {
            Tensor v = OnnxOpLayer.evaluate(graph.opset(), nodes, inputs, known, name, inputs.stream().map(values::get).toArray(Tensor[]::new), ctx -> {});
            return v.isSymbolic() ? null : v;
        } catch (RuntimeException e) {
            return null;
        }
    }

    long opset() {
        return graph.opset();
    }

    /**
     * Whether {@code name} is all zeros whatever the inputs' sizes: a constant of zeros, or shape
     * arithmetic that slices, reshapes or expands a {@code ConstantOfShape} of zeros (the initial states
     * {@code torch.onnx.export} writes for a recurrent layer called without them).
     */
    boolean isZeros(String name) {
        Tensor k = constants.get(name);
        if (k != null) return allZeros(k);
        OnnxNode p = shapeArithmetic.get(name);
        if (p == null) return false;
        return switch (p.opType()) {
            case "ConstantOfShape" -> {
                OnnxAttribute v = p.attributes().get("value");
                yield v == null || v.kind() == OnnxAttribute.Kind.TENSOR && allZeros(v.t());
            }
            case "Slice", "Squeeze", "Unsqueeze", "Reshape", "Expand", "Identity", "Transpose", "Gather", "Tile", "Cast" -> isZeros(p.inputs().get(0));
            default -> false;
        };
    }

    private static boolean allZeros(Tensor t) {
        for (double v : t.toDoubleArray()) if (v != 0) return false;
        return true;
    }

    /**
     * The batch-first [B, T, F] of the time-major value {@code name} [T, B, F]: the one a recurrent
     * layer recorded, the input of the {@code Transpose 1,0,2} that made it, or else a new layer
     * transposing it.
     */
    Tensor batchFirst(String name, String layerName) {
        Tensor known = batchFirst.get(name);
        if (known != null) return known;
        OnnxNode p = producers.get(name);
        OnnxAttribute perm = p == null || !p.opType().equals("Transpose") ? null : p.attributes().get("perm");
        if (perm != null && perm.kind() == OnnxAttribute.Kind.INTS && Arrays.equals(perm.ints(), new long[] {1, 0, 2})
                && values.containsKey(p.inputs().get(0))) {
            return values.get(p.inputs().get(0));
        }
        return transposed(values.get(name), layerName + "_batch_first");
    }

    /** Records that {@code batchFirstValue} [B, T, F] is the time-major value {@code name} [T, B, F] transposed. */
    void recordBatchFirst(String name, Tensor batchFirstValue) {
        batchFirst.put(name, batchFirstValue);
    }

    /** {@code x} with its first two axes swapped, as a layer of its own. */
    Tensor transposed(Tensor x, String layerName) {
        return synthesized(layerName, List.of(RecurrentMapping.transpose("x", "y", 1, 0, 2)), List.of("x"), List.of(x), Map.of(), "y");
    }

    /**
     * An {@link OnnxOpLayer} of nodes written by a mapping (not the file's), reading {@code args} as
     * {@code inputNames} and the constants {@code numbers} as numbers (shapes, indices).
     */
    Tensor synthesized(String layerName, List<OnnxNode> nodes, List<String> inputNames, List<Tensor> args, Map<String, Tensor> numbers,
                       String output) {
        Map<String, OnnxOpLayer.Slot> slots = new LinkedHashMap<>();
        numbers.forEach((k, v) -> slots.put(k, OnnxOpLayer.constant(v, false, true)));
        OnnxOpLayer layer = new OnnxOpLayer(layerName, graph.opset(), nodes, inputNames, slots, output);
        layer.ensureBuilt(args.stream().map(Tensor::shape).toList());
        layer.assignConstants();
        return layer.apply(args, false);
    }

    /** Records a value a layer mapping made. */
    void define(String name, Tensor value) {
        values.put(name, value);
    }

    /** The one node that reads {@code value}, once, when it is not a graph output; else null. */
    OnnxNode soleReader(String value) {
        List<OnnxNode> r = readers.getOrDefault(value, List.of());
        return r.size() == 1 && !graphOutputs.contains(value) ? r.get(0) : null;
    }

    /** The nodes that read {@code value}, or null when it is a graph output (a mapping may not take it in). */
    List<OnnxNode> internalReaders(String value) {
        return graphOutputs.contains(value) ? null : readers.getOrDefault(value, List.of());
    }

    /**
     * An {@link OnnxOpLayer} computing {@code output} of {@code node}, with the shape arithmetic the node
     * reads: the nodes that make it, back to the {@code Shape} nodes, whose inputs join the layer's.
     */
    private Tensor generic(OnnxNode node, String output) {
        List<OnnxNode> nodes = new ArrayList<>();
        include(node, nodes, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        Set<String> inputNames = new LinkedHashSet<>(), constantNames = new LinkedHashSet<>();
        for (OnnxNode n : nodes) {
            for (String in : n.inputs()) {
                if (values.containsKey(in)) inputNames.add(in);
                else if (constants.containsKey(in)) constantNames.add(in);
            }
        }
        List<String> inputs = List.copyOf(inputNames);
        List<Tensor> args = inputs.stream().map(values::get).toList();
        Map<String, Tensor> known = new LinkedHashMap<>();
        for (String c : constantNames) known.put(c, constants.get(c));
        Set<String> readAsNumbers = numbersRead(nodes, inputs, known, output, args);
        Map<String, OnnxOpLayer.Slot> slots = new LinkedHashMap<>();
        known.forEach((c, v) -> slots.put(c, OnnxOpLayer.constant(v, parameters.contains(c) && !readAsNumbers.contains(c), readAsNumbers.contains(c))));
        int k = node.outputs().indexOf(output);
        OnnxOpLayer layer = new OnnxOpLayer(layerName(node) + (k > 0 ? "_" + k : ""), graph.opset(), nodes, inputs, slots, output);
        layer.ensureBuilt(args.stream().map(Tensor::shape).toList());
        layer.assignConstants();
        return layer.apply(args, false);
    }

    /**
     * Which constants the operators of {@code nodes} read as numbers (shapes, scales: those stay fixed, in the
     * config), from one data-free run. Where the placeholder size 1 of an input dimension of any size does not
     * fit a node (a window wider than 1), the run is at {@link FreeDimensions}' larger sizes, as the layer's own
     * call will be; the error at size 1 is reported when none fits.
     */
    private Set<String> numbersRead(List<OnnxNode> nodes, List<String> inputs, Map<String, Tensor> known, String output, List<Tensor> args) {
        RuntimeException atOne = null;
        for (int size : FreeDimensions.sizes()) {
            Set<String> read = new HashSet<>();
            try (Dispatch.Scope s = Dispatch.use(new SymbolicEngine())) {
                List<Tensor> at = args;
                if (atOne != null) {
                    List<Shape> shapes = FreeDimensions.shapesAt(args, size);
                    at = new ArrayList<>();
                    for (int i = 0; i < args.size(); i++) at.add(Tensor.symbolic(shapes.get(i), args.get(i).dtype(), Device.CPU, null));
                }
                OnnxOpLayer.evaluate(graph.opset(), nodes, inputs, known, output, at.toArray(Tensor[]::new), ctx -> {
                    for (int i = 0; i < ctx.node.inputs().size(); i++) if (ctx.readAsNumbers(i)) read.add(ctx.node.inputs().get(i));
                });
                return read;
            } catch (RuntimeException e) {
                if (atOne == null) atOne = e;
            }
        }
        throw new IllegalArgumentException(source + ": toModel: " + atOne.getMessage(), atOne);
    }

    /** Adds {@code node} after the shape-arithmetic nodes it reads (each once), so {@code nodes} stays in execution order. */
    private void include(OnnxNode node, List<OnnxNode> nodes, Set<OnnxNode> seen) {
        if (!seen.add(node)) return;
        for (String in : node.inputs()) {
            OnnxNode producer = shapeArithmetic.get(in);
            if (producer != null) include(producer, nodes, seen);
        }
        nodes.add(node);
    }

    /**
     * The name of a layer that stands for a run of nodes starting at {@code first}: its scope and what
     * the run computes ("/blocks.0/ln1/ReduceMean" (node 97) and "layernorm" give "onnx97_blocks_0_ln1_layernorm").
     */
    String runName(OnnxNode first, String what) {
        int slash = first.name().lastIndexOf('/');
        String scope = slash > 0 ? first.name().substring(0, slash).replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_+|_+$", "") : "";
        return "onnx" + index.get(first) + "_" + (scope.isEmpty() ? "" : scope.toLowerCase(java.util.Locale.ROOT) + "_") + what;
    }

    /** A unique layer name from the node's: "/c1/Conv" (node 0) becomes "onnx0_c1_conv". */
    String layerName(OnnxNode node) {
        String n = node.name().replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return "onnx" + index.get(node) + "_" + (n.isEmpty() || n.startsWith("#") ? node.opType() : n).toLowerCase(java.util.Locale.ROOT);
    }
}
