package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.SymbolicEngine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The base of every layer and model, shaped like Keras 3's: configuration in the constructor,
 * weights created in {@link #build(Shape)} with {@link #addWeight}, the computation in
 * {@link #call(Tensor, boolean)}. Calling {@link #apply} builds the layer on first use; on symbolic
 * tensors from {@code Input.of} it records a {@link Node} instead of computing, which is how
 * functional models and {@code summary()} know every shape before data flows.
 *
 * <p>A custom layer takes a few lines:
 * <pre>{@code
 * class Scale extends Layer {
 *     Variable s;
 *     public void build(Shape in) { s = addWeight("scale", Shape.of(in.dim(-1)), new Ones(), null, true); }
 *     public Tensor call(Tensor x, boolean training) { return x.mul(s.value()); }
 * }
 * }</pre>
 */
public abstract class Layer {
    private static final Map<String, AtomicInteger> NAME_COUNTS = new ConcurrentHashMap<>();
    /** Layers whose {@code call} is running on this thread: a layer applied inside one is tracked by it. */
    private static final ThreadLocal<Deque<Layer>> CALLING = ThreadLocal.withInitial(ArrayDeque::new);

    private final String name;
    private boolean trainable = true;
    /** Written once, under {@link #buildLock}; volatile so a built layer is seen built without the lock. */
    private volatile boolean built;
    private volatile List<Shape> buildShapes;
    /** Serializes building: concurrent first calls build the layer once (see {@link #ensureBuilt}). */
    private final Object buildLock = new Object();
    private Shape outputShape;
    private final List<Variable> ownWeights = new ArrayList<>();
    private final Map<Variable, Regularizer> regularizers = new IdentityHashMap<>();
    private final List<Layer> tracked = new CopyOnWriteArrayList<>(); // read by concurrent calls while a lazy branch may add
    private final Set<Layer> trackedSet = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<SeedGenerator> seedGenerators = new CopyOnWriteArrayList<>();

    /** A layer named like Keras names it: the snake-case class name, numbered from the second on. */
    protected Layer() {
        this(null);
    }

    /** @param name null for an automatic name ({@code dense}, {@code dense_1}, ...) */
    protected Layer(String name) {
        WeightDeclaration.chargeLayer(getClass().getSimpleName());
        this.name = name != null ? name : uniqueName(snakeCase(getClass().getSimpleName()));
    }

    // ---- what a layer writes ----------------------------------------------------------------

    /** Creates the weights for inputs of {@code inputShape} (batch dimension first). Default: none. */
    public void build(Shape inputShape) {}

    /** The multi-input form; a layer with one input gets {@link #build(Shape)}. */
    public void build(List<Shape> inputShapes) {
        if (inputShapes.size() == 1) build(inputShapes.get(0));
    }

    /** The forward computation on one input. */
    public abstract Tensor call(Tensor inputs, boolean training);

    /**
     * The forward computation with the padding mask of the input ({@code [batch, time]} bool, true =
     * a real step; null when none), as Keras's {@code call(inputs, mask=...)}. The default ignores
     * the mask; layers that honour masks (recurrent layers, 1D global pooling, attention) override it.
     */
    public Tensor call(Tensor inputs, boolean training, Tensor mask) {
        return call(inputs, training);
    }

    /**
     * Whether this layer passes a mask on to its output (Keras's {@code supports_masking}): then
     * {@link #computeMask} is attached to the output, see {@link Masks}. Default false: the mask stops here.
     */
    public boolean supportsMasking() {
        return false;
    }

    /** The mask of the output given the input's; by default the input's mask passes through unchanged. */
    public Tensor computeMask(Tensor inputs, Tensor previousMask) {
        return previousMask;
    }

    /** The multi-input form; layers with one input get {@link #call(Tensor, boolean)}. */
    public Tensor call(List<Tensor> inputs, boolean training) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(name + " (" + getClass().getSimpleName() + "): expected one input, got "
                    + inputs.size());
        }
        return call(inputs.get(0), training);
    }

    /** The output shape for an input shape, computed symbolically (no data flows); layers may override. */
    public Shape computeOutputShape(Shape inputShape) {
        return symbolicCall(List.of(inputShape)).shape();
    }

    /** The constructor arguments as Keras would save them; subclasses add their own to this map. */
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("trainable", trainable);
        return c;
    }

    /** Adds a weight to this layer: a {@link Variable} named {@code layerName/name}. */
    protected Variable addWeight(String weightName, Shape shape, Initializer initializer, Regularizer regularizer,
                                 boolean trainableWeight) {
        return addWeight(weightName, shape, DType.FLOAT32, initializer, regularizer, trainableWeight);
    }

    /** {@link #addWeight(String, Shape, Initializer, Regularizer, boolean)} with an explicit dtype. */
    protected Variable addWeight(String weightName, Shape shape, DType dtype, Initializer initializer, Regularizer regularizer,
                                 boolean trainableWeight) {
        requireInitializer(getClass().getSimpleName() + " '" + name + "'", weightName + " initializer", initializer);
        shape.checkFitsHeap(name + "/" + weightName + " (" + getClass().getSimpleName() + ")", dtype, "a weight"); // names the layer
        Tensor init = WeightDeclaration.declaringOnly() ? Tensor.symbolic(shape, dtype, Device.CPU, null) : initializer.apply(shape, dtype);
        Variable v = new Variable(name + "/" + weightName, init, trainableWeight);
        ownWeights.add(v);
        if (regularizer != null) regularizers.put(v, regularizer);
        return v;
    }

    /**
     * Rejects a null initializer where the layer is made (a constructor calls this), rather than
     * when it is first built, deep inside {@code fit} or a functional model's construction.
     *
     * <pre>{@code
     * this.kernelInitializer = requireInitializer("Dense", "kernel_initializer", kernelInitializer);
     * }</pre>
     */
    protected static Initializer requireInitializer(String layer, String argument, Initializer initializer) {
        if (initializer == null) {
            throw new IllegalArgumentException(layer + ": " + argument + " is null; pass an Initializer (e.g. new GlorotUniform(), "
                    + "Initializers.get(\"zeros\")) or use a constructor that leaves it at its default");
        }
        return initializer;
    }

    // ---- calling ----------------------------------------------------------------------------

    /** Calls the layer in inference mode: {@code layer.apply(x)} is Keras's {@code layer(x)}. */
    public Tensor apply(Tensor inputs) {
        return apply(List.of(inputs), false);
    }

    public Tensor apply(Tensor inputs, boolean training) {
        return apply(List.of(inputs), training);
    }

    /** Calls a multi-input layer (Add, Concatenate) or model. */
    public Tensor apply(Tensor... inputs) {
        return apply(List.of(inputs), false);
    }

    /**
     * Calls the layer with an explicit padding mask instead of the one attached to {@code inputs}
     * (Keras's {@code layer(x, mask=m)}): {@code lstm.apply(x, x.ne(0).any(-1), true)}.
     */
    public Tensor apply(Tensor inputs, Tensor mask, boolean training) {
        return applyMasked(List.of(inputs), mask, training);
    }

    /**
     * Builds on first use, then computes; on Keras tensors it records a node and returns a new
     * Keras tensor instead. A single input's attached mask ({@link Masks}) is passed to the call.
     */
    public Tensor apply(List<Tensor> inputs, boolean training) {
        return applyMasked(inputs, inputs.size() == 1 ? Masks.of(inputs.get(0)) : null, training);
    }

    private Tensor applyMasked(List<Tensor> inputs, Tensor mask, boolean training) {
        trackInCaller();
        boolean symbolic = false;
        List<Shape> shapes = new ArrayList<>(inputs.size());
        for (Tensor t : inputs) {
            symbolic |= KerasTensors.isKeras(t);
            shapes.add(t.shape());
        }
        if (symbolic) return applySymbolic(inputs, shapes, training);
        try {
            ensureBuilt(shapes);
        } catch (IllegalArgumentException e) {
            throw LayerCallException.of(this, inputs, e);
        }
        Tensor out = callTracked(inputs, mask, training);
        if (supportsMasking()) Masks.attach(out, inputs.size() == 1 ? computeMask(inputs.get(0), mask) : Masks.merged(this, inputs));
        return out;
    }

    /**
     * On Keras tensors: builds, infers the output shape and records a node. Where the inputs' free
     * dimensions ({@link InputLayer#ANY}) at their placeholder size 1 do not fit this layer, larger
     * sizes are tried ({@link FreeDimensions}); the error at size 1 is reported when none fits.
     */
    private Tensor applySymbolic(List<Tensor> inputs, List<Shape> shapes, boolean training) {
        Tensor out;
        try {
            try {
                ensureBuilt(shapes);
            } catch (IllegalArgumentException e) {
                throw LayerCallException.of(this, inputs, e);
            }
            out = symbolicCall(inputs, training);
        } catch (IllegalArgumentException e) {
            out = FreeDimensions.retry(this, inputs, training);
            if (out == null) throw e;
        }
        FreeDimensions.checkFeatureAxis(this, inputs, training);
        outputShape = out.shape();
        return KerasTensors.record(this, inputs, out.shape(), out.dtype());
    }

    /**
     * Builds the layer for these input shapes if it is not built yet. Thread-safe: when several
     * threads make the first call at once, one builds and the others wait for it, so the weights
     * are created once. (Building locks parent before child, the order models call layers in.)
     */
    public final void ensureBuilt(List<Shape> shapes) {
        if (built) return;
        synchronized (buildLock) {
            if (built) return;
            buildShapes = List.copyOf(shapes);
            if (shapes.size() == 1) build(shapes.get(0));
            else build(shapes);
            built = true;
        }
    }

    /**
     * Records that this layer is built for {@code shapes}: for a {@code build} that a user may call
     * directly (a model's), so that it counts as built without going through {@link #ensureBuilt}.
     */
    protected final void markBuilt(List<Shape> shapes) {
        buildShapes = List.copyOf(shapes);
        built = true;
    }

    private Tensor callTracked(List<Tensor> given, Tensor mask, boolean training) {
        Deque<Layer> stack = CALLING.get();
        stack.push(this);
        try {
            List<Tensor> inputs = Autocast.toComputeDtype(ownWeights, given);
            Tensor out = inputs.size() == 1 ? call(inputs.get(0), training, mask) : call(inputs, training);
            if (out.isSymbolic()) outputShape = out.shape();
            return out;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            // an op's message ("mul: shapes ...", "gather: index 7 is out of range ...") names no layer;
            // say which one, as Keras does
            throw LayerCallException.of(this, given, e);
        } finally {
            stack.pop();
        }
    }

    /** Builds if needed, then runs {@code call} on data-free tensors of these shapes (shape inference). */
    protected Tensor symbolicCall(List<Shape> shapes) {
        ensureBuilt(shapes);
        return runSymbolic(shapes);
    }

    /** Runs {@code call} on data-free tensors of these shapes without building first: for a model's own build. */
    protected Tensor runSymbolic(List<Shape> shapes) {
        List<Tensor> in = new ArrayList<>();
        for (Shape s : shapes) in.add(Tensor.symbolic(s, DType.FLOAT32, dev.javelin.tensor.Device.CPU, null));
        return symbolicCall(in, false);
    }

    /** {@code call} on data-free tensors (shape inference), without building; also {@link FreeDimensions}' replays. */
    @SuppressWarnings("try") // the scope only needs closing
    final Tensor symbolicCall(List<Tensor> inputs, boolean training) {
        try (Dispatch.Scope e = Dispatch.use(new SymbolicEngine()); Dispatch.Scope p = Dispatch.pauseObservers()) {
            return callTracked(inputs, null, training);
        }
    }

    /** {@code tensors} (nulls kept) with the floating ones in this layer's compute dtype, as {@link #apply} casts them ({@link Autocast}). */
    protected final List<Tensor> autocast(List<Tensor> tensors) { return Autocast.toComputeDtype(ownWeights, tensors); }

    /**
     * For a layer's own entry points besides {@link #apply} (e.g. a recurrent layer's
     * {@code callWithStates}): joins the calling layer's tracked layers and builds for these shapes.
     */
    protected final void prepareDirectCall(List<Shape> shapes) {
        trackInCaller();
        ensureBuilt(shapes);
    }

    private void trackInCaller() {
        Layer caller = CALLING.get().peek();
        if (caller != null && caller != this) caller.track(this);
    }

    /** Makes {@code layer} part of this one: its weights count as this layer's. Idempotent. */
    protected void track(Layer layer) {
        if (layer == this) return;
        synchronized (trackedSet) {
            if (trackedSet.add(layer)) tracked.add(layer);
        }
    }

    // ---- what a layer holds -----------------------------------------------------------------

    public String name() {
        return name;
    }

    public boolean isBuilt() {
        return built;
    }

    /** The input shapes the layer was built for (batch dimension first); null before building. */
    public List<Shape> buildShapes() {
        return buildShapes;
    }

    /** The output shape of the last symbolic call (functional models, summaries); null if none. */
    public Shape outputShape() {
        return outputShape;
    }

    /** Records the output shape seen by a model's symbolic pass. */
    public void setOutputShape(Shape shape) {
        outputShape = shape;
    }

    public boolean trainable() {
        return trainable;
    }

    /** Freezes or unfreezes every weight of this layer (and the layers it tracks) for training. */
    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
        for (Layer l : tracked) l.setTrainable(trainable);
    }

    /**
     * Registers a seed generator of this layer, as Keras tracks a layer's {@code SeedGenerator}: its
     * state is saved with the model (see {@link #seedStates()}), so a fit resumed from a file draws
     * the same random numbers as one that never stopped. Returns {@code generator}.
     */
    protected final SeedGenerator trackSeedGenerator(SeedGenerator generator) {
        seedGenerators.add(java.util.Objects.requireNonNull(generator, "generator"));
        return generator;
    }

    /** The state variables of this layer's seed generators, then of the layers it tracks, each once. */
    public List<Variable> seedStates() {
        List<Variable> out = new ArrayList<>();
        collectSeedStates(out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private void collectSeedStates(List<Variable> out, Set<Layer> visited) {
        if (!visited.add(this)) return;
        for (SeedGenerator g : seedGenerators) out.add(g.state());
        for (Layer l : tracked) l.collectSeedStates(out, visited);
    }

    /** The layers this one called during its own {@code call}, in first-call order. */
    public List<Layer> trackedLayers() {
        return List.copyOf(tracked);
    }

    /** Every weight: this layer's own, then those of the layers it tracks, each once. */
    public List<Variable> weights() {
        List<Variable> out = new ArrayList<>();
        collectWeights(out, Collections.newSetFromMap(new IdentityHashMap<>()), Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private void collectWeights(List<Variable> out, Set<Variable> seen, Set<Layer> visited) {
        if (!visited.add(this)) return;
        for (Variable v : ownWeights) if (seen.add(v)) out.add(v);
        for (Layer l : tracked) l.collectWeights(out, seen, visited);
    }

    /** The weights the optimizer updates: trainable variables of trainable layers. */
    public List<Variable> trainableWeights() {
        List<Variable> out = new ArrayList<>();
        for (Variable v : weights()) if (v.trainable() && ownerTrainable(v)) out.add(v);
        return out;
    }

    /** Everything else: moving statistics, and the weights of frozen layers. */
    public List<Variable> nonTrainableWeights() {
        List<Variable> train = trainableWeights();
        Set<Variable> t = Collections.newSetFromMap(new IdentityHashMap<>());
        t.addAll(train);
        List<Variable> out = new ArrayList<>();
        for (Variable v : weights()) if (!t.contains(v)) out.add(v);
        return out;
    }

    private boolean ownerTrainable(Variable v) {
        if (ownWeights.contains(v)) return trainable;
        for (Layer l : tracked) if (l.weights().contains(v)) return trainable && l.ownerTrainable(v);
        return trainable;
    }

    /** Number of scalars in all weights, as Keras's {@code count_params}. */
    public long countParams() {
        long n = 0;
        for (Variable v : weights()) n += v.shape().size();
        return n;
    }

    /** The regularization penalties of this layer and the layers it tracks, computed from the current weights. */
    public List<Tensor> losses() {
        List<Tensor> out = new ArrayList<>();
        collectLosses(out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private void collectLosses(List<Tensor> out, Set<Layer> visited) {
        if (!visited.add(this)) return;
        for (Variable v : ownWeights) {
            Regularizer r = regularizers.get(v);
            if (r != null && trainable && v.trainable()) out.add(r.apply(v.value()));
        }
        for (Layer l : tracked) l.collectLosses(out, visited);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name + ")";
    }

    // ---- names ------------------------------------------------------------------------------

    /** Forgets the automatic name counters, like Keras's {@code clear_session()}: the next Dense is {@code dense} again. */
    public static void resetNames() {
        NAME_COUNTS.clear();
    }

    /** {@code base}, then {@code base_1}, {@code base_2}, ...: Keras's automatic names. */
    protected static String uniqueName(String base) {
        int n = NAME_COUNTS.computeIfAbsent(base, k -> new AtomicInteger()).getAndIncrement();
        return n == 0 ? base : base + "_" + n;
    }

    /** Keras's rule: {@code MaxPooling2D} to {@code max_pooling2d}, {@code Conv2D} to {@code conv2d}. */
    public static String snakeCase(String className) {
        String s = className.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        s = s.replaceAll("([a-z])([A-Z])", "$1_$2");
        return s.toLowerCase(java.util.Locale.ROOT);
    }
}
