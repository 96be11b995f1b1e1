package dev.javelin.highlevel;

import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.layers.KerasTensors;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.json.Json;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A trainable group of layers, as Keras's {@code Model}, in its three forms:
 * <ul>
 *   <li>functional: {@code new Model(inputs, outputs)} over Keras tensors from {@link Input#of};
 *   <li>{@link Sequential}: a stack of layers;
 *   <li>subclassed: extend {@code Model}, create layers in the constructor, override {@link #call}.
 * </ul>
 * Training lives in {@link #compile}, {@link #fit}, {@link #evaluate} and {@link #predict}; one
 * step of it is {@link #trainStep}, which a subclass may override as Keras's {@code train_step}.
 * Those methods are declared in {@link ModelTraining}, as Keras 3's {@code Model} inherits them
 * from its {@code Trainer}; this class holds the layers, the device and saving.
 *
 * <pre>{@code
 * Tensor in = Input.of(784);
 * Tensor h = new Dense(256, "relu").apply(in);
 * Model model = new Model(in, new Dense(10, "softmax").apply(h));
 * model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * History history = model.fit(x, y, FitOptions.builder().batchSize(128).epochs(5).build());
 * }</pre>
 */
public class Model extends ModelTraining {
    private final FunctionalGraph graph;

    /** A subclassed model: override {@link #call(Tensor, boolean)}. */
    protected Model() {
        this((String) null);
    }

    protected Model(String name) {
        super(name);
        this.graph = null;
    }

    /** A functional model with one input and one output. */
    public Model(Tensor input, Tensor output) {
        this(List.of(input), List.of(output), null);
    }

    /** A functional model with several inputs and/or outputs; {@code name} null for {@code functional}. */
    public Model(List<Tensor> inputs, List<Tensor> outputs, String name) {
        super(name != null ? name : uniqueName("functional"));
        this.graph = new FunctionalGraph(inputs, outputs);
        for (Layer l : graph.layers()) track(l);
        List<Shape> shapes = new ArrayList<>();
        for (Tensor t : graph.inputs) shapes.add(t.shape());
        ensureBuilt(shapes);
    }

    // ---- forward ----------------------------------------------------------------------------

    /** A subclassed model overrides this; a functional model runs its graph. */
    @Override
    public Tensor call(Tensor inputs, boolean training) {
        return single(callOutputs(List.of(inputs), training));
    }

    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        return single(callOutputs(inputs, training));
    }

    /** Every output of the model (functional models may have several). */
    @Override
    public List<Tensor> callOutputs(List<Tensor> inputs, boolean training) {
        if (graph != null) return graph.run(inputs, training);
        if (inputs.size() == 1) return List.of(call(inputs.get(0), training));
        return List.of(call(inputs, training));
    }

    /** A subclassed or Sequential model learns its layers and shapes by a symbolic pass. */
    @Override
    public void build(Shape inputShape) {
        build(List.of(inputShape));
    }

    /** Builds every layer by a symbolic pass over inputs of these shapes (batch first); the model is built after. */
    @Override
    public void build(List<Shape> inputShapes) {
        if (isBuilt()) return;
        if (graph == null) runSymbolic(inputShapes);
        markBuilt(inputShapes);
    }

    /** The functional graph's Keras inputs; empty for other models. */
    public List<Tensor> inputs() {
        return graph == null ? List.of() : graph.inputs;
    }

    /** The functional graph's Keras outputs; empty for other models. */
    public List<Tensor> outputs() {
        return graph == null ? List.of() : graph.outputs;
    }

    /**
     * The names of the model's outputs, as the keys of per-output losses and metrics and of History
     * ({@code <output>_loss}): a functional model's output layers; a Sequential's last layer; a
     * subclassed model's {@code output_1}, {@code output_2}, ...
     */
    public List<String> outputNames() {
        return outputNames(graph != null ? graph.outputs.size() : 1);
    }

    List<String> outputNames(int count) {
        List<String> names = new ArrayList<>();
        if (graph != null) {
            for (Tensor t : graph.outputs) {
                String n = KerasTensors.nodeOf(t).layer().name();
                names.add(names.contains(n) ? n + "_" + names.size() : n);
            }
        } else if (count == 1 && !layers().isEmpty()) {
            names.add(layers().get(layers().size() - 1).name());
        } else {
            for (int i = 1; i <= count; i++) names.add("output_" + i);
        }
        return names;
    }

    FunctionalGraph graph() {
        return graph;
    }

    /** The layers of the model, in the order they are called. */
    public List<Layer> layers() {
        return graph != null ? graph.layers() : trackedLayers();
    }

    /** The layer named {@code name}. */
    public Layer getLayer(String layerName) {
        for (Layer l : layers()) if (l.name().equals(layerName)) return l;
        throw new IllegalArgumentException(name() + ".getLayer: no layer named '" + layerName + "'");
    }

    // ---- device -----------------------------------------------------------------------------

    private Device device = Device.CPU;

    /**
     * Puts the model on {@code device} (PyTorch's {@code model.to}): its weights now, and any made
     * later when it is built; {@code fit}, {@code evaluate} and {@code predict} then move each batch
     * there and run each step as one program compiled for that device (on a CUDA device its kernels
     * are PTX from the same plan as the CPU's), or op by op on its backend with {@code jitCompile(false)}.
     * Compiled steps keep the metrics' state on the device too; {@code predict} returns CPU tensors.
     *
     * <pre>{@code
     * model.to(Device.cuda(0));
     * model.fit(x, y, 128, 15);   // x, y stay on the host; each batch is copied to the GPU
     * }</pre>
     */
    public Model to(Device target) {
        this.device = Objects.requireNonNull(target, "device");
        placeWeights();
        return this;
    }

    /** The device the model runs on ({@link #to}); the CPU unless moved. */
    public Device device() {
        return device;
    }

    /**
     * Gives back now, instead of when the GC finds them, the device memory the model holds: its
     * weights, its optimizer's state, its metrics' state and its compiled steps' programs return to the
     * device's caching allocator ({@code CudaBackend.memoryAllocated} drops by as much; PyTorch's
     * {@code del model, optimizer}; {@code CudaBackend.emptyCache} then hands the blocks to the driver).
     * The model cannot run afterwards: a use of a released weight throws {@link IllegalStateException}
     * naming the release. Save the model first to keep its weights; a layer shared with another model
     * is released for that model too. On the CPU, where memory is the GC's, only the compiled steps
     * are dropped and the model keeps working.
     *
     * <pre>{@code
     * model.to(Device.cuda(0)).fit(x, y, 128, 5);
     * model.save(path);
     * model.release();
     * CudaBackend.emptyCache(Device.cuda(0));
     * }</pre>
     */
    public void release() {
        trainer.release();
        for (Variable v : weights()) v.release();
    }

    /** Moves every weight not yet on the model's device there. */
    void placeWeights() {
        for (Variable v : weights()) if (!v.device().equals(device)) v.store(v.stored().to(device));
    }

    // ---- summary ----------------------------------------------------------------------------

    /** The Keras summary table: layer (type), output shape, parameters, and the totals. */
    public String summaryText() {
        return ModelSummary.of(this);
    }

    /** Prints {@link #summaryText()}. */
    public void summary() {
        System.out.print(summaryText());
    }

    // ---- saving -----------------------------------------------------------------------------

    /**
     * Writes one file: the model's config as JSON and its weights, in the safetensors format; for a
     * compiled model also the compile arguments and the optimizer's state (step count, learning
     * rate, moments), so that {@link #load} resumes training where it stopped.
     */
    public void save(Path path) throws IOException {
        ModelArchiveIO.save(this, path);
    }

    /**
     * Rebuilds a model written by {@link #save}, compiled again with its optimizer state when it was
     * saved compiled; custom layers must be in {@link LayerRegistry}.
     * The file is not trusted: its header, checksum and tensor table are checked first, the config
     * is read strictly (unknown keys, wrong JSON types and out-of-range numbers are errors naming
     * the layer and key), the layers are built without initialising any weight the file provides,
     * and every weight's name, shape and dtype must match the file before one is stored. Work and
     * memory are bounded by the file's size.
     *
     * <pre>{@code
     * model.fit(x, y, FitOptions.builder().epochs(2).seed(7).build());
     * model.save(file);
     * Model resumed = Model.load(file);
     * resumed.fit(x, y, FitOptions.builder().epochs(4).initialEpoch(2).seed(7).build()); // as if never stopped
     * }</pre>
     *
     * @throws IOException for every problem with the file, naming it (no unchecked exception escapes)
     */
    public static Model load(Path path) throws IOException {
        return ModelArchiveIO.load(path, true);
    }

    /**
     * Rebuilds a model's architecture from JSON, as Keras's {@code keras.models.model_from_json}: the
     * JSON {@link #toJson} writes, or what Keras 3's {@code model.to_json()} writes for a Sequential
     * or functional model of layers this version has (their options Javelin lacks must be at Keras's
     * defaults; a {@code compile_config} is not applied). The weights are freshly initialised; set
     * them with {@link #setWeights} or {@link #loadWeights}. Read as strictly as {@link #load}.
     *
     * <pre>{@code
     * Model m = Model.fromJson(Files.readString(Path.of("model.json")));   // from Keras: model.to_json()
     * }</pre>
     *
     * @throws IllegalArgumentException naming the layer and key of what cannot be read
     */
    public static Model fromJson(String json) {
        return ModelConfig.from(Json.parseObject(json));
    }

    /** This model's architecture as JSON (what {@link #save} stores), for {@link #fromJson}. */
    public String toJson() {
        return Json.write(ModelConfig.of(this));
    }

    /** As {@link #load(Path)}; with {@code compile} false the model comes back uncompiled (Keras's {@code compile=False}). */
    public static Model load(Path path, boolean compile) throws IOException {
        return ModelArchiveIO.load(path, compile);
    }

    /**
     * Loads the weights and, when this model is compiled and the file has them, the optimizer's
     * variables (step count, moments) from a file written by {@link #save}, into this model: it
     * then trains on as the saved one would have (BackupAndRestore resumes this way).
     */
    public void loadState(Path path) throws IOException {
        ModelArchiveIO.loadState(this, path);
    }

    /** Copies of every weight's value on the host, in {@link #weights()} order (Keras's {@code get_weights}). */
    public List<Tensor> getWeights() {
        return ModelArchiveIO.getWeights(this);
    }

    /**
     * Sets every weight, in {@link #weights()} order, after checking the count, shapes and dtypes
     * (Keras's {@code set_weights}): {@code b.setWeights(a.getWeights())}.
     */
    public void setWeights(List<Tensor> values) {
        ModelArchiveIO.setWeights(this, values);
    }

    /** Writes only the weights (safetensors, keyed by variable name). */
    public void saveWeights(Path path) throws IOException {
        ModelArchiveIO.saveWeights(this, path);
    }

    /** Reads weights written by {@link #saveWeights} (or {@link #save}) into this built model. */
    public void loadWeights(Path path) throws IOException {
        ModelArchiveIO.loadWeights(this, path);
    }
}
